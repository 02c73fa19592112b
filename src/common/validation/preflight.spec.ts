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

  @ApiPropertyOptional({ type: [Item] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Item)
  items?: Item[];
}

const fields = (value: unknown) => preflight(value, Box).map((p) => p.field);

describe('preflight', () => {
  it('passes what is within the limits, leaving types to class-validator', () => {
    expect(preflight({ ids: ['id_1'], name: 'abcd', ttl: null, meta: { a: 1 } }, Box)).toEqual([]);
    expect(preflight({ ids: 'not an array', name: 5, items: 'x' }, Box)).toEqual([]);
  });

  it('checks declared sizes: array items, string length (each too) and object keys', () => {
    expect(preflight({ ids: ['a', 'b', 'c', 'd'] }, Box)).toEqual([
      { field: 'ids', problems: ['ids must contain no more than 3 elements'] },
    ]);
    expect(fields({ name: 'abcde', tags: ['ok', 'long'], meta: { a: 1, b: 2, c: 3 } })).toEqual([
      'name',
      'tags',
      'meta',
    ]);
  });

  it('refuses null unless the property is documented nullable', () => {
    expect(preflight({ name: null, ttl: null }, Box)).toEqual([
      { field: 'name', problems: ['name must not be null'] },
    ]);
    expect(fields({ items: [{ label: 'a', weight: null }, { label: null }] })).toEqual([
      'items[1].label',
    ]);
  });

  it('walks nested DTOs and stops at the nested-object budget', () => {
    const items = Array.from({ length: MAX_NESTED_OBJECTS + 1 }, () => ({ label: 'a' }));
    expect(preflight({ items }, Box)).toEqual([
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
});
