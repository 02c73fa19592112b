import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiNoContentResponse,
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
import { BudgetPolicies } from './budget-policies.service';
import { ORG_SUBJECT_ID, type BudgetPolicy, type BudgetSubject } from './budget.types';
import {
  BudgetPolicyResponse,
  BudgetsOverviewResponse,
  BudgetStateResponse,
  KeyBudgetResponse,
  MyBudgetsResponse,
} from './dto/budget.response';
import { PutBudgetDto } from './dto/put-budget.dto';
import { SpendBudgets } from './spend-budgets.service';

const LIMITS_EXAMPLE = {
  daily_and_monthly: {
    summary: 'Daily and monthly limits with an 80 % alert',
    value: { day_usd: 25, month_usd: 500, alert_percent: 80 },
  },
};
const EXAMPLES = {
  ...LIMITS_EXAMPLE,
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
  '`MODEL_NOT_ALLOWED`. Other instances apply a change as soon as the config watcher reports it.';

/** Dollar budgets and model allowlists of the caller's org, its API keys and its users. */
@ApiTags('budgets')
@ApiBearerAuth()
@ApiSecurity('api-key')
@ApiExtraModels(BudgetPolicyResponse, BudgetStateResponse)
@Controller('api/v1/budgets')
export class BudgetsController {
  constructor(
    private readonly policies: BudgetPolicies,
    private readonly budgets: SpendBudgets,
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
      this.policies.list(p.orgId),
      this.budgets.states(p.orgId),
    ]);
    return ok({ policies: policies.map(view), budgets });
  }

  @Get('me')
  @ApiErrorResponses('gateway', 401)
  @ApiOperation({
    summary: 'The budgets that apply to the caller (no scope needed)',
    description:
      "The org's, the caller's API key's and the caller's user budgets, with spend, reserved, remaining and reset, so a key holder can see what it has left.",
  })
  @ApiEnvelope(MyBudgetsResponse)
  async mine(@CurrentPrincipal() p: Principal): Promise<Ok<MyBudgetsResponse>> {
    const covers = (s: BudgetStateResponse) =>
      s.subject === 'org' ||
      (s.subject === 'key' && s.subject_id === p.apiKeyId) ||
      (s.subject === 'user' && s.subject_id === p.userId);
    return ok({ budgets: (await this.budgets.states(p.orgId)).filter(covers) });
  }

  @Put('org')
  @Scopes('admin')
  @ApiBody({ type: PutBudgetDto, examples: LIMITS_EXAMPLE })
  @ApiErrorResponses('gateway', 400, 401, 403)
  @ApiOperation({ summary: 'Set the org-wide budget', description: PUT_DESCRIPTION })
  @ApiEnvelope(BudgetPolicyResponse)
  putOrg(@CurrentPrincipal() p: Principal, @Body() body: PutBudgetDto) {
    return this.put(p, 'org', ORG_SUBJECT_ID, body);
  }

  @Put('users/:user_id')
  @Scopes('admin')
  @ApiParam({
    name: 'user_id',
    example: 'user_42',
    description: 'The JWT `sub` (or an API key owner) of this org',
  })
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

  @Delete('users/:user_id')
  @Scopes('admin')
  @HttpCode(204)
  @ApiParam({ name: 'user_id', example: 'user_42' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrorResponses('gateway', 400, 401, 403, 404)
  @ApiOperation({ summary: "Remove a user's budget policy" })
  async removeUser(@CurrentPrincipal() p: Principal, @Param('user_id') id: string): Promise<void> {
    await this.policies.remove(p.orgId, 'user', subjectId(id));
  }

  @Delete('org')
  @Scopes('admin')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrorResponses('gateway', 401, 403, 404)
  @ApiOperation({ summary: 'Remove the org-wide budget policy' })
  async removeOrg(@CurrentPrincipal() p: Principal): Promise<void> {
    await this.policies.remove(p.orgId, 'org', ORG_SUBJECT_ID);
  }

  private async put(p: Principal, subject: BudgetSubject, id: string, body: PutBudgetDto) {
    return ok(view(await this.policies.put(p.orgId, subject, id, body)));
  }
}

/** A gateway API key's own budget and model allowlist, next to the key itself. */
@ApiTags('budgets')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Controller('api/v1/api-keys')
export class ApiKeyBudgetController {
  constructor(
    private readonly policies: BudgetPolicies,
    private readonly budgets: SpendBudgets,
    private readonly keys: ApiKeysService,
  ) {}

  @Get(':id/budget')
  @Scopes('admin')
  @ApiParam({ name: 'id', description: 'An API key of this org' })
  @ApiErrorResponses('gateway', 401, 403, 404)
  @ApiOperation({
    summary: "An API key's budget policy and its spend, reserved, remaining and reset",
  })
  @ApiEnvelope(KeyBudgetResponse)
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
  ): Promise<Ok<KeyBudgetResponse>> {
    await this.keys.get(p.orgId, subjectId(id)); // 404 unless the key is this org's
    const policy = (await this.policies.list(p.orgId)).find(
      (x) => x.subject === 'key' && x.subject_id === id,
    );
    const budgets = (await this.budgets.states(p.orgId)).filter(
      (s) => s.subject === 'key' && s.subject_id === id,
    );
    return ok({ policy: policy ? view(policy) : null, budgets });
  }

  @Put(':id/budget')
  @Scopes('admin')
  @ApiParam({ name: 'id', description: 'An API key of this org' })
  @ApiBody({ type: PutBudgetDto, examples: EXAMPLES })
  @ApiErrorResponses('gateway', 400, 401, 403, 404)
  @ApiOperation({
    summary: "Set an API key's budget and model allowlist",
    description: PUT_DESCRIPTION,
  })
  @ApiEnvelope(BudgetPolicyResponse)
  async put(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: PutBudgetDto) {
    await this.keys.get(p.orgId, subjectId(id)); // 404 unless the key is this org's
    return ok(view(await this.policies.put(p.orgId, 'key', id, body)));
  }

  @Delete(':id/budget')
  @Scopes('admin')
  @HttpCode(204)
  @ApiParam({ name: 'id', description: 'An API key of this org (or one deleted since)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrorResponses('gateway', 401, 403, 404)
  @ApiOperation({ summary: "Remove an API key's budget policy" })
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.policies.remove(p.orgId, 'key', subjectId(id));
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

/** UTF-16 halves without their pair (Postgres cannot store them). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** NUL and the other C0 controls and DEL: never part of a real id, and NUL breaks Postgres text. */
function hasControl(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** A subject id the stores can hold and compare: 1-200 characters, no control characters. */
function subjectId(id: string): string {
  if (id.length === 0 || id.length > 200 || hasControl(id) || LONE_SURROGATE.test(id)) {
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      'The id must be 1-200 characters without control characters',
      { param: 'id' },
    );
  }
  return id;
}
