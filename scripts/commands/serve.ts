/** `emvr serve`: serves a built site on 127.0.0.1 (for looking at it locally). */
import fs from 'node:fs';
import path from 'node:path';
import { InputError, numberOption, stringOption, type Command } from '../cli-kit.ts';

/** The `serve` command (registered in scripts/cli.ts). */
export const serveCommand: Command = {
  name: 'serve',
  help: `usage: emvr serve [--dir dist] [--port 4321] [--base /sub/path/]

Serves the folder written by \`emvr build\` on 127.0.0.1 only, under the sub-path it was built
for (read from <dir>/build-info.json unless --base is given). Stop it with Ctrl-C.

options:
  --dir <dir>      built site (default: dist)
  --port <n>       port (default: 4321; 0 picks a free one)
  --base <path>    URL sub-path (default: the one the site was built with)
  -h, --help       this help
`,
  options: { dir: { type: 'string' }, port: { type: 'string' }, base: { type: 'string' } },
  async run(values) {
    // Loaded here, not at the top, so that `--help` starts at once.
    const { startStaticServer } = await import('../site/static-server.ts');
    const dir = path.resolve(stringOption(values, 'dir') ?? 'dist');
    if (!fs.existsSync(path.join(dir, 'index.html'))) throw new InputError(`${dir} holds no built site (no index.html); run \`emvr build\` first`);
    let base = stringOption(values, 'base');
    if (base === undefined) {
      try {
        base = (JSON.parse(fs.readFileSync(path.join(dir, 'build-info.json'), 'utf8')) as { base?: string }).base;
      } catch {
        base = '/';
      }
    }
    const port = numberOption(values, 'port', { min: 0 }) ?? 4321;
    const server = await startStaticServer({ dir, port: Math.floor(port), base });
    process.stdout.write(`serving ${dir} at ${server.url} (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
