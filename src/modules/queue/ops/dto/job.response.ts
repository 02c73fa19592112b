import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonValue } from '../../core/job-envelope';
import type { JobError, JobRecord, JobStatus } from '../../jobs/job.types';

export class JobErrorResponse {
  @ApiProperty({ example: 'WEBHOOK_FAILED' })
  code!: string;

  @ApiProperty({ example: 'Webhook answered HTTP 503' })
  message!: string;
}

/** `data` of `GET /api/v2/model/jobs/:job_id` (never the stored request or webhook headers). */
export class JobResponse {
  @ApiProperty({ example: 'job_3q2JXhN0v8S2aLr1m9BzQw' })
  job_id!: string;

  @ApiProperty({ example: 'completion' })
  type!: string;

  @ApiProperty({ enum: ['queued', 'running', 'completed', 'failed', 'dead'], example: 'completed' })
  status!: JobStatus;

  @ApiProperty({ example: 1, description: 'Runs started so far' })
  attempts!: number;

  @ApiProperty({ example: 6, description: 'Runs allowed before the job is dead-lettered' })
  max_attempts!: number;

  @ApiPropertyOptional({
    nullable: true,
    description: 'The answer: for completions, the same `data` object as the synchronous endpoint',
    example: { content: 'Hello!', model: 'gpt-4o-mini' },
  })
  result!: JsonValue | null;

  @ApiPropertyOptional({
    type: JobErrorResponse,
    nullable: true,
    description: 'Why a failed or dead job ended',
  })
  error!: JobError | null;

  @ApiPropertyOptional({
    type: JobErrorResponse,
    nullable: true,
    description: 'The most recent failed run, while retries continue',
  })
  last_error!: JobError | null;

  @ApiPropertyOptional({
    nullable: true,
    description: 'Earliest time of the next run, when queued for a retry',
  })
  next_attempt_at!: string | null;

  @ApiProperty()
  created_at!: string;

  @ApiProperty()
  updated_at!: string;

  @ApiPropertyOptional({ nullable: true })
  started_at!: string | null;

  @ApiPropertyOptional({ nullable: true })
  finished_at!: string | null;
}

export function toJobResponse(j: JobRecord): JobResponse {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    job_id: j.id,
    type: j.type,
    status: j.status,
    attempts: j.attempts,
    max_attempts: j.max_attempts,
    result: j.result,
    error: j.error,
    last_error: j.last_error,
    next_attempt_at: j.status === 'queued' ? iso(j.run_after) : null,
    created_at: iso(j.created_at)!,
    updated_at: iso(j.updated_at)!,
    started_at: iso(j.started_at),
    finished_at: iso(j.finished_at),
  };
}

/** `data` of the 202 answer to a webhook-format completion. */
export class AcceptedJobResponse {
  @ApiProperty({ example: 'job_3q2JXhN0v8S2aLr1m9BzQw' })
  job_id!: string;

  @ApiProperty({
    enum: ['queued', 'running', 'completed', 'failed', 'dead'],
    example: 'queued',
    description: '`queued` for a new job; a repeated Idempotency-Key returns the existing job',
  })
  status!: JobStatus;
}
