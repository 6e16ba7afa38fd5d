import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'discord.js';
import { afterAll, describe, expect, it } from 'vitest';
import { registerEvents, type EventContext } from '../../src/discord/load-events.js';

const EVENTS_DIR = path.resolve(import.meta.dirname, '../../src/discord/events');
const client = new Client({ intents: [] });

afterAll(() => client.destroy());

describe('the gateway events', () => {
  it('registers every module in src/discord/events once, as `on` or `once` as the module says', async () => {
    // discord.js listens to some events itself (shardDisconnect): only the listeners added here count.
    const before = client.eventNames().flatMap((name) => client.rawListeners(name));
    const added = (name: string) => client.rawListeners(name).filter((l) => !before.includes(l));
    // Nothing is emitted here, so the listeners never look at what they were given.
    registerEvents(client, {} as EventContext);
    const files = fs.readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.ts'));
    const names = new Set<string>();
    for (const file of files) {
      const event = (await import(pathToFileURL(path.join(EVENTS_DIR, file)).href)) as { name: string; once?: boolean };
      names.add(event.name);
      const listeners = added(event.name);
      expect(listeners, file).toHaveLength(1);
      // EventEmitter wraps a `once` listener, and the wrapper keeps the original as `listener`.
      expect('listener' in listeners[0]!, file).toBe(event.once === true);
    }
    // No event is registered that has no module.
    const registered = client.eventNames().filter((name) => typeof name === 'string' && added(name).length);
    expect(registered.sort()).toEqual([...names].sort());
  });
});
