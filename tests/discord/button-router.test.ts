import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUTTONS, buttonFor } from '../../src/discord/button-router.js';
import * as followUp from '../../src/discord/buttons/follow-up.js';
import * as removeConfirmation from '../../src/discord/buttons/remove-confirmation.js';
import * as share from '../../src/discord/buttons/share.js';
import * as votes from '../../src/discord/buttons/votes.js';
import { CANCEL_BUTTON, REMOVE_BUTTON } from '../../src/discord/handlers/remove-handler.js';
import { FOLLOW_UP_PREFIX, SHARE_BUTTON, VOTE_PREFIX } from '../../src/discord/render.js';

const BUTTONS_DIR = path.resolve(import.meta.dirname, '../../src/discord/buttons');

describe('the buttons router', () => {
  it('routes to every module in src/discord/buttons', async () => {
    const files = fs.readdirSync(BUTTONS_DIR).filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      const module: unknown = await import(pathToFileURL(path.join(BUTTONS_DIR, file)).href);
      expect(BUTTONS, file).toContain(module);
    }
    expect(BUTTONS).toHaveLength(files.length);
  });

  it('finds each button’s module by its custom id, whatever the order of the table', () => {
    expect(buttonFor(SHARE_BUTTON)).toBe(share);
    expect(buttonFor(`${FOLLOW_UP_PREFIX}12`)).toBe(followUp);
    expect(buttonFor(`${VOTE_PREFIX}-1:12`)).toBe(votes);
    expect(buttonFor(REMOVE_BUTTON)).toBe(removeConfirmation);
    expect(buttonFor(CANCEL_BUTTON)).toBe(removeConfirmation);
    expect(buttonFor('someone-else:1')).toBeUndefined();
    // No prefix starts another, so a custom id can only match one module.
    for (const a of BUTTONS) for (const b of BUTTONS) if (a !== b) expect(a.prefix.startsWith(b.prefix)).toBe(false);
  });
});
