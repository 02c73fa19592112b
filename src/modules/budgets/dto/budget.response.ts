import { ApiProperty } from '@nestjs/swagger';

export class BudgetPolicyResponse {
  @ApiProperty({ enum: ['org', 'key', 'user'], example: 'key' })
  subject!: string;
  @ApiProperty({ example: 'key_01J9Z6Q2', description: '"org" for the org-wide policy' })
  subject_id!: string;
  @ApiProperty({ example: 25, nullable: true, type: Number })
  day_usd!: number | null;
  @ApiProperty({ example: 500, nullable: true, type: Number })
  month_usd!: number | null;
  @ApiProperty({ example: 80, nullable: true, type: Number })
  alert_percent!: number | null;
  @ApiProperty({ example: ['openai/gpt-4o-mini'], nullable: true, type: [String] })
  allowed_models!: string[] | null;
  @ApiProperty({ example: '2026-12-04T18:00:00.000Z' })
  updated_at!: Date;
}

export class BudgetStateResponse {
  @ApiProperty({ enum: ['org', 'key', 'user'], example: 'key' })
  subject!: string;
  @ApiProperty({ example: 'key_01J9Z6Q2' })
  subject_id!: string;
  @ApiProperty({ enum: ['day', 'month'], example: 'day' })
  period!: string;
  @ApiProperty({ example: 25 })
  limit_usd!: number;
  @ApiProperty({ example: 3.2104, description: 'Settled spend this period' })
  spent_usd!: number;
  @ApiProperty({ example: 0.0121, description: 'Held by requests still running' })
  reserved_usd!: number;
  @ApiProperty({ example: 21.7775 })
  remaining_usd!: number;
  @ApiProperty({ example: 80, nullable: true, type: Number })
  alert_percent!: number | null;
  @ApiProperty({ example: '2026-12-04T00:00:00.000Z' })
  period_start!: string;
  @ApiProperty({ example: '2026-12-05T00:00:00.000Z' })
  resets_at!: string;
}

export class BudgetsOverviewResponse {
  @ApiProperty({ type: [BudgetPolicyResponse] })
  policies!: BudgetPolicyResponse[];
  @ApiProperty({ type: [BudgetStateResponse] })
  budgets!: BudgetStateResponse[];
}

export class KeyBudgetResponse {
  @ApiProperty({ type: BudgetPolicyResponse, nullable: true })
  policy!: BudgetPolicyResponse | null;
  @ApiProperty({ type: [BudgetStateResponse] })
  budgets!: BudgetStateResponse[];
}

export class MyBudgetsResponse {
  @ApiProperty({ type: [BudgetStateResponse] })
  budgets!: BudgetStateResponse[];
}
