import { afterEach, describe, expect, it, vi } from 'vitest';
import { processIo } from './cli-io.js';
import { colorEnabled } from './terminal-style.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('processIo', () => {
  it('creates neither output stream until a style is asked for, then asks each once', () => {
    // Reading process.stdout creates the stream (a socket for a pipe): a run that prints nothing
    // of its own must not pay for it.
    const stdout = vi.spyOn(process, 'stdout', 'get');
    const stderr = vi.spyOn(process, 'stderr', 'get');
    const io = processIo();
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    const errStyle = io.errStyle;
    expect(io.errStyle).toBe(errStyle);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(stdout).not.toHaveBeenCalled();
    const style = io.style;
    expect(io.style).toBe(style);
    expect(stdout).toHaveBeenCalledTimes(1);
    expect(style.enabled).toBe(colorEnabled(process.stdout));
  });
});
