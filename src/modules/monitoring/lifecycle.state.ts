import { Injectable } from '@nestjs/common';

/** Process lifecycle as readiness sees it: once draining, new traffic should go elsewhere. */
@Injectable()
export class LifecycleState {
  draining = false;
}
