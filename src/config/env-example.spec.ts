import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { envSchema } from './env.schema';

describe('.env.example', () => {
  const text = readFileSync(path.join(__dirname, '..', '..', '.env.example'), 'utf8');

  it.each(Object.keys(envSchema.shape))('documents %s', (key) => {
    expect(text).toMatch(new RegExp(`^#? ?${key}=`, 'm'));
  });
});
