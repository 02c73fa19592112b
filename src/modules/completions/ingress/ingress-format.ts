import type { Type } from '@nestjs/common';
import type { ErrorBodyShape } from '../../../common/filters/error-envelope';

/**
 * One wire format clients speak to the gateway (the agent API, OpenAI chat completions,
 * Anthropic Messages): the mirror of a provider adapter on the way in. Its folder holds the
 * DTOs, the controller (the routes) and the adapter that translates the wire body into the
 * canonical ChatCompletionRequest and the pipeline's outcome and events back into the wire
 * shapes. The pipeline never sees a format.
 */
export interface IngressFormat {
  /** Stable name, e.g. `openai-chat`. */
  readonly name: string;
  /** What clients know it as, for docs and logs. */
  readonly label: string;
  /** The Nest controller serving the format's routes. */
  readonly controller: Type<unknown>;
  /** More controllers of the format's state (e.g. stored responses, conversations). */
  readonly stateControllers?: readonly Type<unknown>[];
  /**
   * The error shape of the format's routes, when it is not the gateway envelope: every error
   * under `prefix` (auth, validation, throttling, upstream) is answered in `body`'s shape.
   * The most specific prefix wins (`/v1/messages` over `/v1`).
   */
  readonly errors?: { prefix: string; body: ErrorBodyShape };
}
