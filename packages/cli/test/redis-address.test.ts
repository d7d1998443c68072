import { CliError, describeRedis, parseRedisAddress } from '@pipewright/cli';

describe('parseRedisAddress (--redis)', () => {
  it('reads host:port, a bare host (port 6379) and a bracketed IPv6 host', () => {
    expect(parseRedisAddress('127.0.0.1:6380')).toEqual({ host: '127.0.0.1', port: 6380 });
    expect(parseRedisAddress('redis.internal')).toEqual({ host: 'redis.internal', port: 6379 });
    expect(parseRedisAddress('[::1]:7000')).toEqual({ host: '::1', port: 7000 });
  });

  it('reads redis:// URLs with user, password and database, and rediss:// as TLS', () => {
    expect(parseRedisAddress('redis://worker:s%40cret@queue.example:6390/2')).toEqual({
      host: 'queue.example',
      port: 6390,
      username: 'worker',
      password: 's@cret',
      db: 2,
    });
    expect(parseRedisAddress('rediss://:token@cache.example')).toEqual({ host: 'cache.example', port: 6379, password: 'token', tls: { servername: 'cache.example' } });
  });

  it.each([
    ['host:port with a bad port', 'localhost:abc', /has no valid port \('abc'\)/],
    ['a port out of range', 'localhost:70000', /has no valid port \('70000'\)/],
    ['another scheme', 'http://localhost:6379', /uses a scheme other than redis:\/\//],
    ['a database that is not a number', 'redis://localhost/main', /names no valid database number \('main'\)/],
    ['an empty address', '', /is not a Redis address/],
    ['two colons without brackets', '::1:6379', /is not a Redis address/],
  ])('refuses %s with a CliError BAD_OPTION that shows the accepted forms', (_case, value, message) => {
    let thrown: unknown;
    try {
      parseRedisAddress(value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CliError);
    expect(thrown).toMatchObject({ code: 'BAD_OPTION' });
    expect((thrown as Error).message).toMatch(message);
    expect((thrown as Error).message).toMatch(/give host:port \(127\.0\.0\.1:6379\) or a URL/);
  });

  it('describes a connection as host:port, bracketing IPv6 hosts', () => {
    expect(describeRedis({ host: '10.0.0.5', port: 6390 })).toBe('10.0.0.5:6390');
    expect(describeRedis({ host: '::1', port: 6379 })).toBe('[::1]:6379');
  });
});
