import { Schema } from 'mongoose';
import type { JobRecord } from '../job.types';

export const JOB_MODEL = 'QueueJob';

/**
 * A job as stored: `_id` is the public job id; `idem_key` is `<org_id>:<key>` when a key was
 * given. JSON fields are `unknown` (mongoose's types do not terminate on the recursive JsonValue).
 */
export type JobDoc = Omit<JobRecord, 'id' | 'payload' | 'result'> & {
  _id: string;
  idem_key?: string;
  /** Runs ever started (never reset, unlike `attempts`): numbers the claim tickets. */
  runs?: number;
  payload: unknown;
  result: unknown;
};

/** `jobs` collection. */
export const JobSchema = new Schema<JobDoc>(
  {
    _id: { type: String, required: true },
    org_id: { type: String, required: true },
    type: { type: String, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, required: true },
    max_attempts: { type: Number, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    result: { type: Schema.Types.Mixed, default: null },
    error: { type: Schema.Types.Mixed, default: null },
    last_error: { type: Schema.Types.Mixed, default: null },
    idempotency_key: { type: String, default: null },
    idem_key: { type: String },
    runs: { type: Number },
    request_hash: { type: String, default: null },
    lease_token: { type: String, default: null },
    lease_until: { type: Date, default: null },
    run_after: { type: Date, default: null },
    created_at: { type: Date, required: true },
    updated_at: { type: Date, required: true },
    started_at: { type: Date, default: null },
    finished_at: { type: Date, default: null },
  },
  { collection: 'jobs', versionKey: false, minimize: false, strict: 'throw' },
);

// One key per org: a single sparse field rather than a partial compound index, which FerretDB
// does not implement (documents without a key are simply not indexed).
JobSchema.index({ idem_key: 1 }, { unique: true, sparse: true });
JobSchema.index({ org_id: 1, status: 1, created_at: 1, _id: 1 });
JobSchema.index({ status: 1, _id: 1 });

export const JOB_CLAIM_MODEL = 'QueueJobClaim';

/** One ticket per run of a job (`<job id>#<run number>`); see MongoJobsRepository.claim. */
export interface JobClaimDoc {
  _id: string;
  job_id: string;
  org_id: string;
  at: Date;
}

/** `job_claims` collection: `_id` uniqueness is what makes a claim exclusive. */
export const JobClaimSchema = new Schema<JobClaimDoc>(
  {
    _id: { type: String, required: true },
    job_id: { type: String, required: true },
    org_id: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'job_claims', versionKey: false, strict: 'throw' },
);
