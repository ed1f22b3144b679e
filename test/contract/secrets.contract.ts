// Contract suite: what every SecretResolver promises the channels and the access key that
// resolve through it (`{ env }` from the environment, `{ lockbox }` from Lockbox's payload
// service). A planted secret comes back boxed, so no log line or JSON can show it; a
// reference to nothing is a ConfigError that names the reference and never a value (a
// channel is then disabled with that message, shared/adapters/channels/index.ts). Each
// test plants its own names, so a factory may share one server between tests.
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../../shared/domain/errors.ts';
import type { SecretRef } from '../../shared/domain/notify/config.ts';
import { Secret } from '../../shared/domain/notify/secret.ts';
import type { SecretResolver } from '../../shared/ports/secrets.ts';

export type SecretsUnderTest = AsyncDisposable & {
  readonly resolver: SecretResolver;
  /** this implementation's reference to the secret planted (or not) under `name` */
  ref(name: string): SecretRef;
};

/** A resolver that holds `planted` (name → value) and nothing else the tests name. */
export type SecretsFactory = (planted: Readonly<Record<string, string>>) => Promise<SecretsUnderTest>;

export function secretResolverContract(name: string, make: SecretsFactory) {
  describe(`SecretResolver contract: ${name}`, () => {
    // names fit both an environment variable and a Lockbox entry key
    const fresh = () => `CONTRACT_${randomUUID().replaceAll('-', '_').toUpperCase()}`;

    test('a planted secret resolves to its value, boxed: printing or serialising it shows no value', async () => {
      const [a, b] = [fresh(), fresh()];
      const value = `value-${randomUUID()}`;
      await using s = await make({ [a]: value, [b]: 'the other one' });
      const secret = await s.resolver.resolve(s.ref(a));

      expect(secret).toBeInstanceOf(Secret);
      expect(secret.reveal()).toBe(value);
      for (const shown of [String(secret), `${secret}`, JSON.stringify({ secret }), inspect(secret)]) expect(shown).not.toContain(value);
      expect((await s.resolver.resolve(s.ref(b))).reveal()).toBe('the other one');
    });

    test('resolving again gives the same value', async () => {
      const a = fresh();
      await using s = await make({ [a]: 'stable' });
      const first = await s.resolver.resolve(s.ref(a));
      const second = await s.resolver.resolve(s.ref(a));
      expect([first.reveal(), second.reveal()]).toEqual(['stable', 'stable']);
    });

    test('a reference to nothing is a ConfigError naming it, without any planted value', async () => {
      const [planted, missing] = [fresh(), fresh()];
      await using s = await make({ [planted]: 'must-not-leak' });
      const err = await s.resolver.resolve(s.ref(missing)).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(missing);
      expect((err as Error).message).not.toContain('must-not-leak');
    });

    test('an empty value is no secret: a ConfigError, as if it were not set', async () => {
      const empty = fresh();
      await using s = await make({ [empty]: '' });
      const err = await s.resolver.resolve(s.ref(empty)).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(empty);
    });
  });
}
