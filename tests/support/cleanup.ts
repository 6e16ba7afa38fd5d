import { afterAll } from 'vitest';
import { removeTempDirs } from './setup.js';

// Runs in every test file (vitest setupFiles): its temporary directories go with it.
afterAll(removeTempDirs);
