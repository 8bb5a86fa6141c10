/**
 * Writes MRC2014 maps (axis order 1,2,3, nstart 0, ORIGIN, MAP id, machine stamp, header
 * statistics) in any readable mode and either byte order, atomically; `.gz` targets are
 * gzip-compressed. The writer takes header fields and an x-fastest voxel block; volume/to-mrc.ts
 * builds those from a Volume (this layer knows no Volume).
 */
import { promisify } from 'node:util';
import { createGzip, gzip } from 'node:zlib';
import { writeFileAtomic } from './atomic-write.ts';
import { floatToHalf, nativeOrder } from './mrc-decode.ts';
import { formatHeader, HEADER_BYTES, type MrcHeader } from './mrc-header.ts';
import { modeBytes, type MrcMode } from './mrc-mode.ts';

export interface WriteMrcOptions {
  /** Data mode (default 2, float32). Integer modes round and clamp to their range. */
  readonly mode?: MrcMode;
  /** Byte order (default little-endian, as every EMDB map). */
  readonly littleEndian?: boolean;
  /** Up to ten 80-character labels. */
  readonly labels?: readonly string[];
}

/** What the header says of the grid: box, voxel size (Å), origin (Å) and the data statistics. */
export interface MrcGridFields {
  readonly dims: readonly [number, number, number];
  readonly voxelSize: readonly [number, number, number];
  readonly origin: readonly [number, number, number];
  /** Header DMIN, DMAX, DMEAN and RMS (std about the mean). */
  readonly stats: { readonly min: number; readonly max: number; readonly mean: number; readonly std: number };
}

/** The header that describes a grid written in `mode`. */
export function mrcHeaderFor(v: MrcGridFields, opts: WriteMrcOptions = {}): MrcHeader {
  const [nx, ny, nz] = v.dims;
  const s = v.stats;
  const labels = (opts.labels ?? []).slice(0, 10);
  const le = opts.littleEndian ?? true;
  return {
    nx, ny, nz,
    mode: opts.mode ?? 2,
    nxstart: 0, nystart: 0, nzstart: 0,
    mx: nx, my: ny, mz: nz,
    cella: [nx * v.voxelSize[0], ny * v.voxelSize[1], nz * v.voxelSize[2]],
    cellb: [90, 90, 90],
    mapc: 1, mapr: 2, maps: 3,
    dmin: s.min, dmax: s.max, dmean: s.mean,
    ispg: 1,
    nsymbt: 0,
    extra1: new Uint8Array(8),
    exttyp: '\0\0\0\0',
    nversion: 20140,
    extra2: new Uint8Array(84),
    origin: [v.origin[0], v.origin[1], v.origin[2]],
    map: 'MAP ',
    machst: le ? new Uint8Array([0x44, 0x44, 0, 0]) : new Uint8Array([0x11, 0x11, 0, 0]),
    rms: s.std,
    nlabl: labels.length,
    label: Array.from({ length: 10 }, (_, k) => labels[k] ?? ''),
  };
}

/** Header + voxel block (x fastest, `fields.dims` long) as one byte array. */
export function encodeMrcFile(fields: MrcGridFields, d: Float32Array, opts: WriteMrcOptions = {}): Uint8Array {
  const mode = opts.mode ?? 2;
  const le = opts.littleEndian ?? true;
  const n = d.length;
  const [nx, ny, nz] = fields.dims;
  if (n !== nx * ny * nz) throw new RangeError(`encodeMrcFile: ${n} voxels for a ${nx}×${ny}×${nz} header`);
  const bytes = new Uint8Array(HEADER_BYTES + n * modeBytes(mode));
  bytes.set(formatHeader(mrcHeaderFor(fields, opts), le), 0);
  const view = new DataView(bytes.buffer, HEADER_BYTES);
  const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(x)));
  switch (mode) {
    case 0:
      for (let i = 0; i < n; i++) view.setInt8(i, clamp(d[i], -128, 127));
      break;
    case 1:
      for (let i = 0; i < n; i++) view.setInt16(2 * i, clamp(d[i], -32768, 32767), le);
      break;
    case 6:
      for (let i = 0; i < n; i++) view.setUint16(2 * i, clamp(d[i], 0, 65535), le);
      break;
    case 12:
      for (let i = 0; i < n; i++) view.setUint16(2 * i, floatToHalf(d[i]), le);
      break;
    case 2:
      // In the machine's byte order the voxels are already the bytes to write (numpy's tofile does the same).
      if (nativeOrder(le)) bytes.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), HEADER_BYTES);
      else for (let i = 0; i < n; i++) view.setFloat32(4 * i, d[i], le);
      break;
    default: {
      const never: never = mode;
      throw new Error(`unhandled mode ${String(never)}`);
    }
  }
  return bytes;
}

/** gzip level of written maps: zlib's default, ~2× smaller than level 1 on a local-value map for ~4× its time; level 9 adds < 0.1 %. Both writers use it, so chunked and whole writes give the same bytes. */
const GZIP_LEVEL = 6;

/** Writes the grid to `file` atomically; gzip-compressed when the name ends in `.gz`. */
export async function writeMrcFile(file: string, fields: MrcGridFields, data: Float32Array, opts: WriteMrcOptions = {}): Promise<void> {
  const bytes = encodeMrcFile(fields, data, opts);
  const out = file.endsWith('.gz') ? new Uint8Array(await promisify(gzip)(bytes, { level: GZIP_LEVEL })) : bytes;
  await writeFileAtomic(file, out);
}

/** Voxels per chunk of `writeChunkedMrcFile` (4 MB). */
const CHUNK_VOXELS = 1 << 20;

/**
 * Writes a float32 map (mode 2) whose voxels `fill(chunk, start)` writes chunk by chunk (voxels
 * start … start + chunk.length − 1, in order) into two reused buffers, each gzip-compressed on a
 * libuv thread while the next is filled, when the name ends in `.gz`: a map built only to be
 * written is never held whole (a 360³ map is 187 MB). The bytes are those of `writeMrcFile` of the
 * whole grid (deflate's output does not depend on how its input is cut; the tests compare them).
 */
export async function writeChunkedMrcFile(file: string, fields: MrcGridFields, fill: (chunk: Float32Array, start: number) => void, opts: Omit<WriteMrcOptions, 'mode'> = {}, chunkVoxels = CHUNK_VOXELS): Promise<void> {
  const le = opts.littleEndian ?? true;
  const n = fields.dims[0] * fields.dims[1] * fields.dims[2];
  if (!file.endsWith('.gz') || !nativeOrder(le)) {
    const data = new Float32Array(n);
    fill(data, 0);
    await writeMrcFile(file, fields, data, opts);
    return;
  }
  const z = createGzip({ level: GZIP_LEVEL });
  const parts: Buffer[] = [];
  z.on('data', (b: Buffer) => parts.push(b));
  const ended = new Promise<void>((resolve, reject) => {
    z.on('end', resolve);
    z.on('error', reject);
  });
  ended.catch(() => undefined); // awaited below; a failed write throws first
  // Resolves once zlib has consumed the bytes: only then may their buffer be filled again.
  const write = (b: Uint8Array) => new Promise<void>((resolve, reject) => z.write(b, (e) => (e ? reject(e) : resolve())));
  let pending = write(formatHeader(mrcHeaderFor(fields, { ...opts, mode: 2 }), le));
  try {
    const size = Math.max(1, Math.min(n, chunkVoxels));
    const buffers = [new Float32Array(size), new Float32Array(size)];
    for (let start = 0, k = 0; start < n; start += size, k ^= 1) {
      const chunk = buffers[k].subarray(0, Math.min(size, n - start));
      fill(chunk, start);
      await pending;
      pending = write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    }
    await pending;
    z.end();
    await ended;
  } catch (err) {
    pending.catch(() => undefined);
    z.destroy();
    throw err;
  }
  await writeFileAtomic(file, Buffer.concat(parts));
}
