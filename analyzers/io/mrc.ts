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
  /** Bytes of memory the voxel arrays may take (default: what the system says is available now). */
  readonly availableMemory?: number;
}

/**
 * Checks made before the voxel arrays are allocated, against what the compressed stream and the
 * machine can give: the gzip trailer's ISIZE (decompressed length mod 2³², RFC 1952) must agree
 * with the length the header implies, and the arrays must fit in the available memory. A small
 * gzip whose header promises 5 GB of voxels is refused here, not after allocating them.
 */
export function allocationIssues(expectedPlainBytes: number, allocBytes: number, gzipISize: number | null, availableMemory: number): MrcIssue[] {
  const issues: MrcIssue[] = [];
  const gib = (b: number) => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GiB` : b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${b} bytes`);
  if (gzipISize !== null && gzipISize !== expectedPlainBytes % 2 ** 32) {
    issues.push({
      code: 'MRC_GZIP_SIZE_MISMATCH',
      message: `the gzip trailer says the data decompresses to ${gzipISize} bytes (mod 2^32), but the header needs ${expectedPlainBytes}: the file is truncated or its header is not its data (refused before allocating ${gib(allocBytes)})`,
      fatal: true,
    });
  }
  if (allocBytes > availableMemory) {
    issues.push({ code: 'MRC_NOT_ENOUGH_MEMORY', message: `holding the map needs ${gib(allocBytes)} of memory, but only ${gib(availableMemory)} is available`, fatal: true });
  }
  return issues;
}

/** The ISIZE field of a gzip file's trailer (its last 4 bytes, little-endian), or null when too short. */
export function gzipTrailerSize(last4: Uint8Array): number | null {
  return last4.length === 4 ? new DataView(last4.buffer, last4.byteOffset, 4).getUint32(0, true) : null;
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
          message: `machine stamp (word 54) ${prettyStamp(stamp)} says ${order}-endian, but the mode word then reads ${stated} and only the other byte order gives a valid mode (${other})${permissive ? '; read with the other byte order' : '; the stamp is probably wrong (emvr analyze --permissive or emvr inspect --permissive reads it with the other byte order)'}`,
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
  private readonly gzipISize: number | null;
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

  constructor(source: string, opts: ReadMrcOptions, plainBytes: number | null, gzipISize: number | null) {
    this.source = source;
    this.opts = opts;
    this.plainBytes = plainBytes;
    this.gzipISize = gzipISize;
  }

  /** Bytes pushed so far (decompressed). */
  get decompressedBytes(): number {
    return this.seen;
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
    if (checked.layout !== null && mode !== null) {
      const alloc = 4 * (checked.layout.readBytes / modeBytes(mode)) + (mode === 2 ? 0 : checked.layout.readBytes);
      this.issues.push(...allocationIssues(checked.layout.expectedFileBytes, alloc, this.gzipISize, this.opts.availableMemory ?? process.availableMemory()));
    }
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
    this.dest = mode === 2 ? new Uint8Array(this.out.buffer, this.out.byteOffset, this.out.byteLength) : new Uint8Array(checked.layout.readBytes);
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
  // A multi-member gzip (bgzip) has only its last member's length in the trailer: permissive reads on.
  return ['MRC_NO_MAP_ID', 'MRC_TRAILING_BYTES', 'MRC_AXES_NOT_PERMUTATION', 'MRC_STAMP_MISMATCH', 'MRC_GZIP_SIZE_MISMATCH'].includes(issue.code);
}

/** Parses an in-memory file (tests, small maps). Compression is sniffed as for files. */
export async function parseMrcBytes(bytes: Uint8Array, source = '<memory>', opts: ReadMrcOptions = {}): Promise<MrcFile> {
  return readStream(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), bytes.subarray(0, 4), bytes.subarray(Math.max(0, bytes.length - 4)), bytes.length, source, opts);
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
  const last = new Uint8Array(Math.min(4, size));
  const fh = await open(file, 'r');
  try {
    await fh.read(first, 0, 4, 0);
    await fh.read(last, 0, last.length, size - last.length);
  } finally {
    await fh.close();
  }
  return readStream(createReadStream(file, { highWaterMark: 1 << 20 }), first, last, size, label, opts);
}

async function readStream(raw: Readable, first: Uint8Array, last4: Uint8Array, storedBytes: number, source: string, opts: ReadMrcOptions): Promise<MrcFile> {
  const compression = storedBytes === 0 ? 'none' : sniffCompression(first);
  const sink = new MrcSink(source, opts, compression === 'none' ? storedBytes : null, compression === 'gzip' ? gzipTrailerSize(last4) : null);
  // Pipe and hash listener are attached in the same tick, before the stream starts flowing.
  const stream = decompressor(raw, compression);
  const hash = createHash('sha256');
  raw.on('data', (chunk: Buffer) => hash.update(chunk));
  try {
    for await (const chunk of stream) sink.push(chunk as Uint8Array);
  } catch (err) {
    raw.destroy();
    if (err instanceof MrcFormatError) throw err;
    throw new MrcFormatError(source, [decompressionIssue(compression, err, sink.decompressedBytes)]);
  }
  return sink.finish(compression, hash.digest('hex'), storedBytes);
}

/**
 * The issue of a stream that failed while being read or decompressed. The bzip2 decoder
 * (unbzip2-stream) fails on a cut-off file with a bare TypeError from reading past its buffer;
 * that is said in words, not passed on.
 */
export function decompressionIssue(compression: Compression, err: unknown, plainBytes: number): MrcIssue {
  const msg = err instanceof Error ? err.message : String(err);
  if (compression === 'none') return { code: 'MRC_READ_FAILED', message: `read failed (${msg})`, fatal: true };
  if (compression === 'bzip2') {
    const why = err instanceof TypeError || err instanceof RangeError ? 'the file ends early or is damaged' : msg;
    return { code: 'MRC_BAD_COMPRESSION', message: `bzip2 data is truncated or corrupt: decompression stopped after ${plainBytes} bytes of output (${why}; download it again)`, fatal: true };
  }
  return { code: 'MRC_BAD_COMPRESSION', message: `${compression} data is corrupt (${msg})`, fatal: true };
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
