import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { createValidationPipe } from '../pipes/validation.pipe';
import { MAX_NESTED_OBJECTS, preflight } from './preflight';
import { IsPlainObject, MaxKeys } from './validators';

class Item {
  @ApiProperty() @IsString() @MaxLength(5) label!: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @IsInt() weight?: number | null;
}

class Box {
  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @ArrayUnique()
  @Matches(/^id_/, { each: true })
  ids?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @MaxLength(2, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsInt()
  ttl?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsPlainObject()
  @MaxKeys(2)
  meta?: Record<string, unknown>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsPlainObject()
  schema?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [Item] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Item)
  items?: Item[];
}

const problems = (value: unknown) => preflight(value, Box).problems;
const fields = (value: unknown) => problems(value).map((p) => p.field);

describe('preflight', () => {
  it('passes what is within the limits, leaving types to class-validator', () => {
    expect(problems({ ids: ['id_1'], name: 'abcd', ttl: null, meta: { a: 1 } })).toEqual([]);
    expect(problems({ ids: 'not an array', name: 5, items: 'x' })).toEqual([]);
  });

  it('checks declared sizes: array items, string length (each too) and object keys', () => {
    expect(problems({ ids: ['a', 'b', 'c', 'd'] })).toEqual([
      { field: 'ids', problems: ['ids must contain no more than 3 elements'] },
    ]);
    expect(fields({ name: 'abcde', tags: ['ok', 'long'], meta: { a: 1, b: 2, c: 3 } })).toEqual([
      'name',
      'tags',
      'meta',
    ]);
  });

  it('refuses null unless the property is documented nullable', () => {
    expect(problems({ name: null, ttl: null })).toEqual([
      { field: 'name', problems: ['name must not be null'] },
    ]);
    expect(fields({ items: [{ label: 'a', weight: null }, { label: null }] })).toEqual([
      'items[1].label',
    ]);
  });

  it('walks nested DTOs and stops at the nested-object budget', () => {
    const items = Array.from({ length: MAX_NESTED_OBJECTS + 1 }, () => ({ label: 'a' }));
    expect(problems({ items })).toEqual([
      {
        field: `items[${MAX_NESTED_OBJECTS}]`,
        problems: [`the request holds more than ${MAX_NESTED_OBJECTS} nested objects`],
      },
    ]);
  });

  it('in the pipe, refuses a huge array before class-validator looks at its elements', async () => {
    // 100,000 ids: @ArrayUnique alone is quadratic on them, and @Matches runs per element.
    const ids = Array.from({ length: 100_000 }, (_, i) => `bad_${i}`);
    const pipe = createValidationPipe();
    await expect(pipe.transform({ ids }, { type: 'body', metatype: Box })).rejects.toMatchObject({
      status: 400,
      // One problem: class-validator would have reported @Matches for each of 100,000 ids.
      details: [{ field: 'ids', problems: ['ids must contain no more than 3 elements'] }],
    });
  });

  it('in the pipe, keeps JSON values as sent, and leaves the body as it was', async () => {
    const schema = { toString: { type: 'string' }, nested: { valueOf: 1, hasOwnProperty: [1] } };
    const body = { schema, items: [{ label: 'a' }] };
    const before = JSON.stringify(body);
    const out = (await createValidationPipe().transform(body, {
      type: 'body',
      metatype: Box,
    })) as Box;
    // class-transformer alone drops keys named like Object.prototype members.
    expect(out.schema).toBe(schema);
    expect(out.items?.[0]).toBeInstanceOf(Item);
    expect(JSON.stringify(body)).toBe(before);
  });

  it('in the pipe, validates a long array item by item and stops at the first invalid item', async () => {
    const items = [
      ...Array.from({ length: 100 }, () => ({ label: 'ok' })),
      ...Array.from({ length: 300 }, () => ({ label: 7 })),
    ];
    const err = await createValidationPipe()
      .transform({ items }, { type: 'body', metatype: Box })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^Validation failed: items\[100\]\.label: label must be/),
      details: [{ field: 'items[100].label' }],
    });
  });
});
