import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { MAX_BUDGET_USD } from '../budget.types';

const notNull = (_: unknown, v: unknown) => v !== null;

/**
 * `PUT /api/v1/budgets/{org|keys/:id|users/:id}`: the subject's whole policy (a field left out
 * or null means "no limit" / "any model").
 */
export class PutBudgetDto {
  @ApiPropertyOptional({
    example: 25,
    nullable: true,
    minimum: 0,
    maximum: MAX_BUDGET_USD,
    description: 'USD per UTC day (resets at 00:00 UTC). null or absent: no daily limit.',
  })
  @IsOptional()
  @ValidateIf(notNull)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_BUDGET_USD)
  day_usd?: number | null;

  @ApiPropertyOptional({
    example: 500,
    nullable: true,
    minimum: 0,
    maximum: MAX_BUDGET_USD,
    description: 'USD per UTC calendar month (resets on the 1st, 00:00 UTC).',
  })
  @IsOptional()
  @ValidateIf(notNull)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_BUDGET_USD)
  month_usd?: number | null;

  @ApiPropertyOptional({
    example: 80,
    nullable: true,
    minimum: 1,
    maximum: 100,
    description:
      'Soft threshold: when spend crosses this percent of a limit, the org (and deployment) error-webhook receivers get one signed `budget.threshold` event per budget and period.',
  })
  @IsOptional()
  @ValidateIf(notNull)
  @IsInt()
  @Min(1)
  @Max(100)
  alert_percent?: number | null;

  @ApiPropertyOptional({
    example: ['openai/gpt-4o-mini', 'anthropic/*'],
    nullable: true,
    type: [String],
    description:
      'Models this subject may call: `<service>/<model>`, `<service>/*` or `*`. null or absent: any model. A request for another model is refused with 403 MODEL_NOT_ALLOWED; an agent fallback outside the list is skipped.',
  })
  @IsOptional()
  @ValidateIf(notNull)
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  @Matches(/^(\*|[a-z0-9-]+\/\S+)$/, {
    each: true,
    message: 'allowed_models entries must be "<service>/<model>", "<service>/*" or "*"',
  })
  allowed_models?: string[] | null;
}
