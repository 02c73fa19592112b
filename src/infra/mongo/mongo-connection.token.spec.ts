import { getConnectionToken } from '@nestjs/mongoose';
import { MONGO_CONNECTION } from './mongo-connection.token';

describe('MONGO_CONNECTION', () => {
  it("is @nestjs/mongoose's token for the default connection", () => {
    expect(MONGO_CONNECTION).toBe(getConnectionToken());
  });
});
