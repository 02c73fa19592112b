import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Principal } from '../../common/auth/principal';
import { CurrentPrincipal, Scopes } from '../../common/decorators';
import { AppException, ErrorCode } from '../../common/errors';
import { ApiEnvelope, ok, type Ok } from '../../common/http/envelope';
import { ApiErrorResponses } from '../../common/swagger';
import { ApiKeysService } from '../auth';
import { BudgetPoliciesRepository } from './budget-policies.repository';
import { ORG_SUBJECT_ID, type BudgetPolicy, type BudgetSubject } from './budget.types';
import {
  BudgetPolicyResponse,
  BudgetsOverviewResponse,
  BudgetStateResponse,
} from './dto/budget.response';
import { PutBudgetDto } from './dto/put-budget.dto';
import { SpendBudgets } from './spend-budgets.service';

const EXAMPLES = {
  daily_and_monthly: {
    summary: 'Daily and monthly limits with an 80 % alert',
    value: { day_usd: 25, month_usd: 500, alert_percent: 80 },
  },
  allowlist: {
    summary: 'Only cheap models',
    value: { month_usd: 50, allowed_models: ['openai/gpt-4o-mini', 'groq/*'] },
  },
};

const PUT_DESCRIPTION =
  'Replaces the policy (fields left out or null: no limit, any model). Spend is counted in USD from the catalog prices; ' +
  'each request holds its estimated cost (input tokens + max output) before the call and is settled with the real cost after ' +
  'it, so concurrent requests on every instance overshoot a limit by at most one request estimate. A spent budget answers ' +
  '429 `BUDGET_EXCEEDED` with `Retry-After` and `details.resets_at`; a model outside `allowed_models` answers 403 ' +
  '`MODEL_NOT_ALLOWED`. Other instances apply a change within 5 s.';

/** Dollar budgets and model allowlists of the caller's org, its API keys and its users. */
@ApiTags('budgets')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiExtraModels(BudgetPolicyResponse, BudgetStateResponse)
@Controller('api/v1/budgets')
export class BudgetsController {
  constructor(
    private readonly repo: BudgetPoliciesRepository,
    private readonly budgets: SpendBudgets,
    private readonly keys: ApiKeysService,
  ) {}

  @Get()
  @Scopes('admin')
  @ApiErrorResponses('gateway', 401, 403)
  @ApiOperation({
    summary: "The org's budgets: policies, spend, reserved, remaining and reset per period",
  })
  @ApiEnvelope(BudgetsOverviewResponse)
  async overview(@CurrentPrincipal() p: Principal): Promise<Ok<BudgetsOverviewResponse>> {
    const [policies, budgets] = await Promise.all([
      this.repo.list(p.orgId),
      this.budgets.states(p.orgId),
    ]);
    return ok({ policies: policies.map(view), budgets });
  }

  @Put('org')
  @Scopes('admin')
  @ApiBody({ type: PutBudgetDto, examples: EXAMPLES })
  @ApiErrorResponses('gateway', 400, 401, 403)
  @ApiOperation({ summary: 'Set the org-wide budget', description: PUT_DESCRIPTION })
  @ApiEnvelope(BudgetPolicyResponse)
  putOrg(@CurrentPrincipal() p: Principal, @Body() body: PutBudgetDto) {
    return this.put(p, 'org', ORG_SUBJECT_ID, body);
  }

  @Put('keys/:key_id')
  @Scopes('admin')
  @ApiParam({ name: 'key_id', description: 'An API key of this org (GET /api/v1/api-keys)' })
  @ApiBody({ type: PutBudgetDto, examples: EXAMPLES })
  @ApiErrorResponses('gateway', 400, 401, 403, 404)
  @ApiOperation({
    summary: "Set an API key's budget and model allowlist",
    description: PUT_DESCRIPTION,
  })
  @ApiEnvelope(BudgetPolicyResponse)
  async putKey(
    @CurrentPrincipal() p: Principal,
    @Param('key_id') keyId: string,
    @Body() body: PutBudgetDto,
  ) {
    await this.keys.get(p.orgId, keyId); // 404 unless the key is this org's
    return this.put(p, 'key', keyId, body);
  }

  @Put('users/:user_id')
  @Scopes('admin')
  @ApiParam({ name: 'user_id', description: 'The JWT `sub` (or an API key owner) of this org' })
  @ApiBody({ type: PutBudgetDto, examples: EXAMPLES })
  @ApiErrorResponses('gateway', 400, 401, 403)
  @ApiOperation({
    summary: "Set a user's budget and model allowlist",
    description: PUT_DESCRIPTION,
  })
  @ApiEnvelope(BudgetPolicyResponse)
  putUser(
    @CurrentPrincipal() p: Principal,
    @Param('user_id') userId: string,
    @Body() body: PutBudgetDto,
  ) {
    return this.put(p, 'user', subjectId(userId), body);
  }

  @Delete(':subject/:subject_id')
  @Scopes('admin')
  @HttpCode(204)
  @ApiParam({ name: 'subject', enum: ['keys', 'users'] })
  @ApiParam({ name: 'subject_id' })
  @ApiErrorResponses('gateway', 400, 401, 403, 404)
  @ApiOperation({ summary: "Remove a key's or user's budget policy" })
  async remove(
    @CurrentPrincipal() p: Principal,
    @Param('subject') subject: string,
    @Param('subject_id') id: string,
  ): Promise<void> {
    const kind: BudgetSubject | undefined =
      subject === 'keys' ? 'key' : subject === 'users' ? 'user' : undefined;
    if (!kind) throw new AppException(ErrorCode.NOT_FOUND, 'Unknown budget subject');
    if (!(await this.repo.remove(p.orgId, kind, subjectId(id)))) {
      throw new AppException(ErrorCode.NOT_FOUND, 'No budget policy for this subject');
    }
    this.budgets.forget(p.orgId);
  }

  @Delete('org')
  @Scopes('admin')
  @HttpCode(204)
  @ApiErrorResponses('gateway', 401, 403, 404)
  @ApiOperation({ summary: 'Remove the org-wide budget policy' })
  async removeOrg(@CurrentPrincipal() p: Principal): Promise<void> {
    if (!(await this.repo.remove(p.orgId, 'org', ORG_SUBJECT_ID))) {
      throw new AppException(ErrorCode.NOT_FOUND, 'No org budget policy');
    }
    this.budgets.forget(p.orgId);
  }

  private async put(
    p: Principal,
    subject: BudgetSubject,
    id: string,
    body: PutBudgetDto,
  ): Promise<Ok<BudgetPolicyResponse>> {
    const saved = await this.repo.put(p.orgId, subject, id, {
      day_usd: body.day_usd ?? null,
      month_usd: body.month_usd ?? null,
      alert_percent: body.alert_percent ?? null,
      allowed_models: body.allowed_models ?? null,
    });
    this.budgets.forget(p.orgId);
    return ok(view(saved));
  }
}

function view(p: BudgetPolicy): BudgetPolicyResponse {
  return {
    subject: p.subject,
    subject_id: p.subject_id,
    day_usd: p.day_usd,
    month_usd: p.month_usd,
    alert_percent: p.alert_percent,
    allowed_models: p.allowed_models,
    updated_at: p.updated_at,
  };
}

function subjectId(id: string): string {
  if (id.length === 0 || id.length > 200) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'subject id must be 1-200 characters', {
      param: 'subject_id',
    });
  }
  return id;
}
