import { applyDecorators } from '@nestjs/common';
import { IsISO8601, Matches } from 'class-validator';

/** Ends in `Z` or a `±hh:mm` offset: the instant is the same on every server. */
const ZONE = /(?:[Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO 8601 date-time with a time zone. Without one, `2030-01-01T00:00:00` would mean a
 * different instant on servers in different zones (JavaScript reads it as local time), so it is
 * refused rather than guessed; a bare date is refused for the same reason.
 */
export function IsZonedDateTime(field: string) {
  const message = `${field} must be an ISO 8601 date-time with a time zone, e.g. 2030-01-01T00:00:00Z`;
  return applyDecorators(
    IsISO8601({ strict: true, strictSeparator: true }, { message }),
    Matches(/T/, { message }),
    Matches(ZONE, { message }),
  );
}
