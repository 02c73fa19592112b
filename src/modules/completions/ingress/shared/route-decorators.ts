import { applyDecorators, HttpCode } from '@nestjs/common';
import type { ApiHeaderOptions } from '@nestjs/swagger';
import {
  ApiErrorResponses,
  type ErrorFormat,
  type ErrorResponseSpec,
} from '../../../../common/swagger';
import { RateLimited } from '../../../throttling';

/**
 * A completion route of any format: 200 (not Nest's 201 for a POST), rate limited, and its
 * errors documented in the format's own shape.
 */
export const CompletionRoute = (format: ErrorFormat, ...errors: ErrorResponseSpec[]) =>
  // Applied lowest first, as the three were written one above the other.
  applyDecorators(RateLimited(), HttpCode(200), ApiErrorResponses(format, ...errors));

/** The 404 of the OpenAI-shaped completion routes. */
export const MODEL_NOT_FOUND = {
  status: 404,
  description: 'A model no service lists, or an unknown agent/<id> (`error.param`: model)',
};

/** The gateway's own request headers, as the completion routes document them. */
export const GATEWAY_HEADERS = {
  threadId: {
    name: 'x-thread-id',
    required: false,
    description: 'Store and replay the conversation under this thread',
  },
  subThreadId: {
    name: 'x-sub-thread-id',
    required: false,
    description: 'Sub-thread within x-thread-id',
  },
  cacheTtl: {
    name: 'x-cache-ttl',
    required: false,
    description: 'Seconds to cache the answer; 0 disables the cache',
  },
  cacheControl: {
    name: 'cache-control',
    required: false,
    description: '`no-cache` bypasses the response cache',
  },
} satisfies Record<string, ApiHeaderOptions>;
