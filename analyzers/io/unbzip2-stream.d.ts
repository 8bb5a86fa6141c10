declare module 'unbzip2-stream' {
  import type { Transform } from 'node:stream';
  /** A transform stream that decompresses bzip2 data. */
  export default function unbzip2Stream(): Transform;
}
