import { AppException, ErrorCode } from '../../../common/errors';
import type { ModelParams } from '../provider.types';
import type { ResolvedModel } from './catalog.types';

/** What the policy kept for the model and what it left out (in the order the client sent them). */
export interface ParamPolicyResult {
  params: ModelParams;
  dropped: string[];
}

function refused(param: string, message: string): AppException {
  return new AppException(ErrorCode.VALIDATION_FAILED, message, { status: 400, param });
}

/**
 * The parameter policy: every parameter the model's catalog entry names is kept (its value is
 * range-checked later by the request validator, so a bad value stays a 400); a parameter the
 * model cannot take is dropped and reported, or refused with a 400 naming it when `strict`.
 * Exclusive groups (`exclusive_params`) keep the first member sent and treat the rest as
 * unsupported. Services that accept unknown parameters keep everything.
 */
export function applyParamPolicy(
  params: ModelParams,
  m: ResolvedModel,
  strict: boolean,
): ParamPolicyResult {
  const ref = `${m.service}/${m.model}`;
  const kept: ModelParams = {};
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (m.entry.params[name] || m.passThroughParams) {
      kept[name] = value;
      continue;
    }
    if (strict) {
      const accepted = Object.keys(m.entry.params).join(', ') || 'none';
      throw refused(name, `${name} is not supported by ${ref} (accepted: ${accepted})`);
    }
    dropped.push(name);
  }
  for (const group of m.entry.exclusive_params ?? []) {
    const sent = group.filter((name) => kept[name] !== undefined);
    for (const name of sent.slice(1)) {
      if (strict) {
        throw refused(name, `${sent[0]} and ${name} cannot both be sent to ${ref}; send one`);
      }
      delete kept[name];
      dropped.push(name);
    }
  }
  return { params: kept, dropped };
}
