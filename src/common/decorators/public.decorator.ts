import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'auth:public';

/** Opts a route (or controller) out of the deny-by-default auth guard. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
