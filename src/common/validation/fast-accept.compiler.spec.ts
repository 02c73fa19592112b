import { Transform, Type } from 'class-transformer';
import * as cv from 'class-validator';
import { createValidationPipe } from '../pipes/validation.pipe';
import { compileFastAccept } from './fast-accept.compiler';
import { defineJsonValidator } from './validators';

type Decorator = (target: object, property: string) => void;

/**
 * A test DTO: `name` and `count` with understood constraints, plus whatever `extra` adds to
 * `tag`. A fresh class per call, so each compiles on its own.
 */
function dtoWith(...extra: Decorator[]) {
  class Probe {
    @cv.IsString()
    @cv.MaxLength(8)
    @cv.Matches(/^[a-z]+$/)
    name!: string;

    @cv.IsOptional()
    @cv.IsInt()
    @cv.Min(1)
    @cv.Max(10)
    count?: number;

    @cv.IsOptional()
    @cv.IsString()
    tag?: string;
  }
  for (const decorate of extra) decorate(Probe.prototype, 'tag');
  return Probe;
}

const pipe = createValidationPipe();
const fullAccepts = (dto: abstract new () => unknown, body: unknown) =>
  pipe
    .validateFully(JSON.parse(JSON.stringify(body)), { type: 'body', metatype: dto as never })
    .then(
      () => true,
      () => false,
    );

describe('compileFastAccept', () => {
  it('checks the constraints it knows, like class-validator', async () => {
    const Probe = dtoWith();
    const accept = compileFastAccept(Probe);
    const cases: Array<[unknown, boolean]> = [
      [{ name: 'abc' }, true],
      [{ name: 'abc', count: 3, tag: 'x' }, true],
      [{ name: 'abcdefghi' }, false], // MaxLength
      [{ name: 'ABC' }, false], // Matches
      [{ name: 'abc', count: 11 }, false], // Max
      [{ name: 'abc', count: 1.5 }, false], // IsInt
      [{ name: 'abc', count: '3' }, false], // no implicit conversion
      [{}, false], // name is required
      [{ name: 'abc', other: 1 }, false], // forbidNonWhitelisted
      [{ name: 'abc', tag: null }, false], // nulls are the full path's
      [[{ name: 'abc' }], false],
      ['abc', false],
    ];
    for (const [body, expected] of cases) {
      expect(accept(body)).toBe(expected);
      // Never looser than the full path.
      if (expected) expect(await fullAccepts(Probe, body)).toBe(true);
    }
  });

  it('declines a body holding a property with a constraint it does not know', async () => {
    const Probe = dtoWith(cv.IsEmail());
    const accept = compileFastAccept(Probe);
    expect(accept({ name: 'abc', tag: 'a@example.com' })).toBe(false);
    expect(await fullAccepts(Probe, { name: 'abc', tag: 'a@example.com' })).toBe(true);
    // Absent (and optional), the unknown constraint is never run: still fast.
    expect(accept({ name: 'abc' })).toBe(true);
  });

  it('declines custom validators unless they are plain predicates (defineJsonValidator)', () => {
    const opaque: Decorator = (target, property) =>
      cv.registerDecorator({
        name: 'opaque',
        target: target.constructor,
        propertyName: property,
        validator: { validate: (v: unknown) => v === 'ok' },
      });
    expect(compileFastAccept(dtoWith(opaque))({ name: 'a', tag: 'ok' })).toBe(false);

    const plain = defineJsonValidator('isOk', 'must be ok', (v) => v === 'ok');
    const accept = compileFastAccept(dtoWith(plain));
    expect(accept({ name: 'a', tag: 'ok' })).toBe(true);
    expect(accept({ name: 'a', tag: 'no' })).toBe(false);
  });

  it('declines class-transformer transformations other than @AsSent', () => {
    const upper = Transform(({ value }) => String(value).toUpperCase());
    expect(compileFastAccept(dtoWith(upper))({ name: 'a', tag: 'x' })).toBe(false);
  });

  it('declines DTOs whose instances hold more than the body (defaults, undecorated fields)', () => {
    class WithDefault {
      @cv.IsOptional()
      @cv.IsIn(['a', 'b'])
      mode: string = 'a';
    }
    class WithUndecorated {
      @cv.IsString()
      name!: string;

      note?: string;
    }
    expect(compileFastAccept(WithDefault)({})).toBe(false);
    expect(compileFastAccept(WithUndecorated)({ name: 'x' })).toBe(false);
  });

  it('follows @ValidateNested with @Type, conditions, and self-reference', async () => {
    class Node {
      @cv.IsIn(['leaf', 'branch'])
      kind!: string;

      @cv.ValidateIf((n: Node) => n.kind === 'leaf')
      @cv.IsString()
      label?: string;

      @cv.IsOptional()
      @cv.ValidateNested({ each: true })
      @Type(() => Node)
      children?: Node[];
    }
    class Untyped {
      @cv.IsOptional()
      @cv.ValidateNested()
      child?: object;
    }
    const accept = compileFastAccept(Node);
    const tree = { kind: 'branch', children: [{ kind: 'leaf', label: 'x' }, { kind: 'branch' }] };
    expect(accept(tree)).toBe(true);
    expect(await fullAccepts(Node, tree)).toBe(true);
    // A leaf needs its label (the condition asks for it); a branch does not.
    expect(accept({ kind: 'branch', children: [{ kind: 'leaf' }] })).toBe(false);
    expect(accept({ kind: 'branch', children: [{ kind: 'leaf', label: 'x', x: 1 }] })).toBe(false);
    expect(accept({ kind: 'branch', children: { kind: 'leaf', label: 'x' } })).toBe(false);
    // Without @Type class-validator meets a plain object and refuses it (forbidUnknownValues).
    expect(compileFastAccept(Untyped)({ child: {} })).toBe(false);
    expect(compileFastAccept(Untyped)({})).toBe(true);
  });
});
