import { BadRequestException, NotFoundException } from '@nestjs/common';
import { AppException, ErrorCode } from '../errors';
import { toGatewayBody, toOpenAiBody } from './error-envelope';
import { normaliseError } from './normalise-error';

describe('normaliseError', () => {
  it('keeps an AppException as it is', () => {
    const e = normaliseError(
      new AppException(ErrorCode.RATE_LIMITED, 'slow down', { headers: { 'retry-after': '3' } }),
    );
    expect(e).toMatchObject({
      status: 429,
      code: ErrorCode.RATE_LIMITED,
      message: 'slow down',
      headers: { 'retry-after': '3' },
    });
  });

  it('maps Nest HTTP exceptions by status and rewords route 404s', () => {
    expect(normaliseError(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      code: ErrorCode.NOT_FOUND,
      message: 'Route GET /x not found',
    });
    expect(
      normaliseError(new BadRequestException(['a must be a string', 'b is bad'])),
    ).toMatchObject({
      status: 400,
      code: ErrorCode.VALIDATION_FAILED,
      message: 'a must be a string; b is bad',
    });
  });

  it('maps Fastify body errors to client errors', () => {
    const tooLarge = Object.assign(new Error('too big'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    expect(normaliseError(tooLarge)).toMatchObject({
      status: 413,
      code: ErrorCode.PAYLOAD_TOO_LARGE,
    });
  });

  it('never shows the message of an unknown error', () => {
    const e = normaliseError(new Error('connect ECONNREFUSED postgres://admin:hunter2@db'));
    expect(e).toEqual({ status: 500, code: ErrorCode.INTERNAL, message: 'Internal server error' });
  });
});

describe('error bodies', () => {
  const err = {
    status: 400,
    code: ErrorCode.VALIDATION_FAILED,
    message: 'bad',
    param: 'temperature',
    details: [1],
  };

  it('renders the gateway envelope with the request id', () => {
    expect(toGatewayBody(err, 'req-1')).toEqual({
      success: false,
      error: { code: 'VALIDATION_FAILED', message: 'bad', details: [1], request_id: 'req-1' },
    });
  });

  it('renders the OpenAI shape, with the request id when given', () => {
    expect(toOpenAiBody(err)).toEqual({
      error: {
        message: 'bad',
        type: 'invalid_request_error',
        param: 'temperature',
        code: 'validation_failed',
      },
    });
    expect(toOpenAiBody(err, 'req-2')).toEqual({
      error: {
        message: 'bad',
        type: 'invalid_request_error',
        param: 'temperature',
        code: 'validation_failed',
        request_id: 'req-2',
      },
    });
    expect(toOpenAiBody({ ...err, status: 502, code: ErrorCode.PROVIDER_ERROR }).error.type).toBe(
      'server_error',
    );
  });
});
