import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/storage/cli/args.js';

describe('storage CLI arguments', () => {
  it('parses the two commands with --all or session ids', () => {
    expect(parseArgs(['verify', '--all'])).toEqual({ command: 'verify', all: true, sessionIds: [], concurrency: 4 });
    expect(parseArgs(['import-legacy', 'abc', 'abc2', '--concurrency', '8'])).toEqual({ command: 'import-legacy', all: false, sessionIds: ['abc', 'abc2'], concurrency: 8 });
  });

  it.each([
    [[], /missing command/],
    [['frob', '--all'], /unknown command/],
    [['verify'], /either --all or/],
    [['verify', '--all', 'abc'], /either --all or/],
    [['verify', '../etc'], /invalid session id/],
    [['verify', '--all', '--concurrency', '0'], /--concurrency/],
    [['verify', '--all', '--force'], /unknown option/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
