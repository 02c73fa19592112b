/** OpenAI's error body as the /v1 routes send it, for Swagger's 4xx responses. */
export const OPENAI_ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        message: { type: 'string' },
        type: { type: 'string', example: 'invalid_request_error' },
        param: { type: 'string', nullable: true, example: 'model' },
        code: { type: 'string', nullable: true, example: 'validation_failed' },
        request_id: { type: 'string' },
      },
    },
  },
};
