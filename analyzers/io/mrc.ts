/**
 * Reads MRC2014 / CCP4 maps as mrcfile does, in small checked steps: header, checks, extended
 * header (skipped), voxel block. Plain, gzip and bzip2 files are streamed (compression is sniffed
 * from the bytes, not the name) straight into the destination array: no copy of the whole file.
 *
 * The reader returns the file, not a model: values stay in file order (columns fastest).
 * `volume/from-mrc.ts` applies MAPC/MAPR/MAPS, voxel size and origin.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import unbzip2 from 'unbzip2-stream';
import { checkHeader, DEFAULT_MAX_VOXELS, type DataLayout } from './mrc-check.ts';
import { decodeVoxels } from './mrc-decode.ts';
import { MrcFormatError, type MrcIssue } from './mrc-errors.ts';
import { byteOrderOfStamp, HEADER_BYTES, parseHeader, prettyStamp, type MrcHeader } from './mrc-header.ts';
import { modeBytes, toMode, type MrcMode } from './mrc-mode.ts';
import { sharedFloat32 } from '../util/shared-memory.ts';

export type Compression = 'none' | 'gzip' | 'bzip2';

export interface MrcFile {
  /** The path (or label) the data came from, used in every message. */
  readonly source: string;
  readonly header: MrcHeader;
  readonly mode: MrcMode;
  readonly byteOrder: 'little' | 'big';
  readonly compression: Compression;
  /** Columns, rows, sections of the volume read (file order). */
  readonly fileDims: [number, number, number];
  /** Voxel values in file order (columns fastest), as float32. */
  readonly data: Float32Array;
  /** Non-fatal problems (fatal ones throw unless permissive). */
  readonly issues: readonly MrcIssue[];
  /** sha256 (hex) of the file's bytes as stored (compressed bytes for .gz/.bz2). */
  readonly sha256: string;
  /** Size of the file as stored, in bytes. */
  readonly storedBytes: number;
}

export interface ReadMrcOptions {
  /** Turn fatal header problems into issues where the data can still be read (as mrcfile). */
  readonly permissive?: boolean;
  /** Refuse maps with more voxels than this before allocating (default 1.5·10⁹). */
  readonly maxVoxels?: number;
}

/** Sniffs compression from the first bytes (gzip 1f 8b; bzip2 "BZh"). */
export function sniffCompression(first: Uint8Array): Compression {
  if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) return 'gzip';
  if (first.length >= 3 && first[0] === 0x42 && first[1] === 0x5a && first[2] === 0x68) return 'bzip2';
  return 'none';
}

/**
 * Decides byte order as mrcfile does (stamp 44 44 / 44 41 → little, 11 11 → big) and, for a stamp
 * it does not recognise, like mrcfile's permissive mode: little-endian unless only the other order
 * gives a valid mode. Odd stamps are common in the archive, so this is never fatal.
 */
export function decideByteOrder(headerBytes: Uint8Array, permissive = false): { littleEndian: boolean; issue: MrcIssue | null } {
  const stamp = headerBytes.subarray(212, 216);
  const view = new DataView(headerBytes.buffer, headerBytes.byteOffset, HEADER_BYTES);
  const modeLe = view.getInt32(12, true);
  const modeBe = view.getInt32(12, false);
  const order = byteOrderOfStamp(stamp);
  if (order !== null) {
    const le = order === 'little';
    const [stated, other] = le ? [modeLe, modeBe] : [modeBe, modeLe];
    // A stamp that contradicts the data (seen in the wild): mrcfile's permissive mode flips.
    if (toMode(stated) === null && toMode(other) !== null) {
      return {
        littleEndian: permissive ? !le : le,
        issue: {
          code: 'MRC_STAMP_MISMATCH',
          message: `machine stamp (word 54) ${prettyStamp(stamp)} says ${order}-endian, but the mode word then reads ${stated} and only the other byte order gives a valid mode (${other})${permissive ? '; read with the other byte order' : '; the stamp is probably wrong (--permissive reads it with the other byte order)'}`,
          fatal: true,
        },
      };
    }
    return { littleEndian: le, issue: null };
  }
  const littleEndian = !(toMode(modeLe) === null && toMode(modeBe) !== null);
  return {
    littleEndian,
    issue: {
      code: 'MRC_ODD_MACHINE_STAMP',
      message: `machine stamp (word 54) ${prettyStamp(stamp)} is not a standard one; read as ${littleEndian ? 'little' : 'big'}-endian`,
      fatal: false,
    },
  };
}

/**
 * Incremental reader: push the decompressed bytes in any chunking, then `finish()`.
 * Allocates the voxel array once, after the header checks pass.
 */
class MrcSink {
  private readonly source: string;
  private readonly opts: ReadMrcOptions;
  private readonly plainBytes: number | null;
  private headerBuf = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  private header: MrcHeader | null = null;
  private littleEndian = true;
  private issues: MrcIssue[] = [];
  private layout: DataLayout | null = null;
  private mode: MrcMode = 2;
  private extRemaining = 0;
  private dest: Uint8Array | null = null;
  private out: Float32Array | null = null;
  private destFill = 0;
  private seen = 0;

  constructor(source: string, opts: ReadMrcOptions, plainBytes: number | null) {
    this.source = source;
    this.opts = opts;
    this.plainBytes = plainBytes;
  }

  push(chunk: Uint8Array): void {
    this.seen += chunk.length;
    let at = 0;
    if (this.header === null) {
      const take = Math.min(HEADER_BYTES - this.headerFill, chunk.length);
      this.headerBuf.set(chunk.subarray(0, take), this.headerFill);
      this.headerFill += take;
      at = take;
      if (this.headerFill < HEADER_BYTES) return;
      this.startData();
    }
    if (this.extRemaining > 0 && at < chunk.length) {
      const skip = Math.min(this.extRemaining, chunk.length - at);
      this.extRemaining -= skip;
      at += skip;
    }
    if (at < chunk.length && this.dest !== null) {
      const take = Math.min(this.dest.length - this.destFill, chunk.length - at);
      this.dest.set(chunk.subarray(at, at + take), this.destFill);
      this.destFill += take;
    }
  }

  private startData(): void {
    const order = decideByteOrder(this.headerBuf, this.opts.permissive ?? false);
    this.littleEndian = order.littleEndian;
    if (order.issue) this.issues.push(order.issue);
    // With the wrong byte order every later field is noise: report the stamp alone.
    if (order.issue?.fatal && !this.opts.permissive) throw new MrcFormatError(this.source, this.issues);
    const header = parseHeader(this.headerBuf, this.littleEndian);
    const checked = checkHeader(header, this.plainBytes, this.opts.maxVoxels ?? DEFAULT_MAX_VOXELS);
    this.issues.push(...checked.issues);
    const mode = toMode(header.mode);
    const blocking = this.issues.filter((i) => i.fatal && !(this.opts.permissive && tolerable(i)));
    if (blocking.length > 0 || checked.layout === null || mode === null) {
      throw new MrcFormatError(this.source, this.issues);
    }
    this.header = header;
    this.layout = checked.layout;
    this.mode = mode;
    this.extRemaining = header.nsymbt;
    const count = checked.layout.readBytes / modeBytes(mode);
    this.out = sharedFloat32(count);
    // float32 is read straight into the result (swapped in place if needed); other modes need a raw block.
    this.dest = mode === 2 ? new Uint8Array(this.out.buffer) : new Uint8Array(checked.layout.readBytes);
  }

  finish(compression: Compression, sha256: string, storedBytes: number): MrcFile {
    if (this.seen === 0) {
      throw new MrcFormatError(this.source, [{ code: 'MRC_EMPTY', message: 'file is empty (0 bytes); an MRC file starts with a 1024-byte header', fatal: true }]);
    }
    if (this.header === null || this.layout === null || this.dest === null || this.out === null) {
      throw new MrcFormatError(this.source, [{ code: 'MRC_SHORT_HEADER', message: `only ${this.seen} bytes${compression === 'none' ? '' : ' after decompression'}; an MRC file starts with a 1024-byte header`, fatal: true }]);
    }
    const expected = this.layout.expectedFileBytes;
    if (this.seen !== expected && compression !== 'none') {
      const short = this.seen < expected;
      const issue: MrcIssue = {
        code: short ? 'MRC_TRUNCATED' : 'MRC_TRAILING_BYTES',
        message: `decompressed data is ${short ? 'truncated' : 'longer than the header says'}: ${this.seen} bytes, the header (nx ${this.header.nx}, ny ${this.header.ny}, nz ${this.header.nz}, mode ${this.header.mode}, nsymbt ${this.header.nsymbt}) needs ${expected}`,
        fatal: true,
      };
      if (short || !this.opts.permissive) throw new MrcFormatError(this.source, [...this.issues, issue]);
      this.issues.push({ ...issue, fatal: false });
    }
    if (this.destFill < this.dest.length) {
      throw new MrcFormatError(this.source, [...this.issues, { code: 'MRC_TRUNCATED', message: `voxel data is truncated: ${this.destFill} of ${this.dest.length} bytes`, fatal: true }]);
    }
    const count = this.out.length;
    decodeVoxels(this.dest, this.mode, this.littleEndian, count, this.out);
    return {
      source: this.source,
      header: this.header,
      mode: this.mode,
      byteOrder: this.littleEndian ? 'little' : 'big',
      compression,
      fileDims: this.layout.fileDims,
      data: this.out,
      issues: this.issues.map((i) => (i.fatal ? { ...i, fatal: false } : i)),
      sha256,
      storedBytes,
    };
  }
}

/** Problems that permissive mode may read past (the data can still be located and decoded). */
function tolerable(issue: MrcIssue): boolean {
  return ['MRC_NO_MAP_ID', 'MRC_TRAILING_BYTES', 'MRC_AXES_NOT_PERMUTATION', 'MRC_STAMP_MISMATCH'].includes(issue.code);
}

/** Parses an in-memory file (tests, small maps). Compression is sniffed as for files. */
export async function parseMrcBytes(bytes: Uint8Array, source = '<memory>', opts: ReadMrcOptions = {}): Promise<MrcFile> {
  return readStream(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), bytes.subarray(0, 4), bytes.length, source, opts);
}

/** Reads an MRC/CCP4 map file (plain, .gz or .bz2; sniffed from the bytes). */
export async function readMrc(file: string, opts: ReadMrcOptions = {}): Promise<MrcFile> {
  const label = file;
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new MrcFormatError(label, [{ code: 'MRC_NOT_A_FILE', message: 'is not a regular file', fatal: true }]);
    size = st.size;
  } catch (err) {
    if (err instanceof MrcFormatError) throw err;
    throw new MrcFormatError(label, [{ code: 'MRC_CANNOT_OPEN', message: `cannot open: ${(err as Error).message}`, fatal: true }]);
  }
  const first = new Uint8Array(4);
  const fh = await open(file, 'r');
  try {
    await fh.read(first, 0, 4, 0);
  } finally {
    await fh.close();
  }
  return readStream(createReadStream(file, { highWaterMark: 1 << 20 }), first, size, label, opts);
}

async function readStream(raw: Readable, first: Uint8Array, storedBytes: number, source: string, opts: ReadMrcOptions): Promise<MrcFile> {
  const compression = storedBytes === 0 ? 'none' : sniffCompression(first);
  const sink = new MrcSink(source, opts, compression === 'none' ? storedBytes : null);
  // Pipe and hash listener are attached in the same tick, before the stream starts flowing.
  const stream = decompressor(raw, compression);
  const hash = createHash('sha256');
  raw.on('data', (chunk: Buffer) => hash.update(chunk));
  try {
    for await (const chunk of stream) sink.push(chunk as Uint8Array);
  } catch (err) {
    raw.destroy();
    if (err instanceof MrcFormatError) throw err;
    const what = compression === 'none' ? 'read failed' : `${compression} data is corrupt`;
    throw new MrcFormatError(source, [{ code: compression === 'none' ? 'MRC_READ_FAILED' : 'MRC_BAD_COMPRESSION', message: `${what} (${(err as Error).message})`, fatal: true }]);
  }
  return sink.finish(compression, hash.digest('hex'), storedBytes);
}

function decompressor(raw: Readable, compression: Compression): Readable {
  switch (compression) {
    case 'none':
      return raw;
    case 'gzip':
      return forward(raw, createGunzip({ chunkSize: 1 << 20 }));
    case 'bzip2': {
      // unbzip2-stream is an old-style stream: re-expose it through a PassThrough (async-iterable).
      const out = new PassThrough({ highWaterMark: 1 << 20 });
      const bz = forward(raw, unbzip2());
      bz.on('error', (err: Error) => out.destroy(err));
      bz.pipe(out);
      return out;
    }
    default: {
      const never: never = compression;
      throw new Error(`unhandled compression ${String(never)}`);
    }
  }
}

/** Pipes `raw` into a transform and makes errors of either side surface on the output. */
function forward<T extends NodeJS.ReadWriteStream & { destroy(err?: Error): unknown }>(raw: Readable, transform: T): T {
  raw.on('error', (err) => transform.destroy(err));
  raw.pipe(transform);
  return transform;
}
