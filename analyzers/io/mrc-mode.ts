/**
 * MRC data modes: which are readable and how wide their values are (MRC2014 table; mrcfile
 * utils.py agrees: 0 int8, 1 int16, 2 float32, 6 uint16, 12 float16).
 */

export type MrcMode = 0 | 1 | 2 | 6 | 12;

export const SUPPORTED_MODES: readonly MrcMode[] = [0, 1, 2, 6, 12];

/** Modes of the format that this reader knows but does not read (no meaningful scalar map). */
const KNOWN_UNSUPPORTED: Record<number, string> = {
  3: 'complex int16',
  4: 'complex float32',
  16: 'RGB 3×uint8',
  101: '4-bit packed',
};

/** Turns a raw header mode into a supported mode, or null with a reason. */
export function toMode(raw: number): MrcMode | null {
  return (SUPPORTED_MODES as readonly number[]).includes(raw) ? (raw as MrcMode) : null;
}

export function describeUnsupportedMode(raw: number): string {
  const known = KNOWN_UNSUPPORTED[raw];
  const list = SUPPORTED_MODES.join(', ');
  return known
    ? `mode ${raw} (${known}) is not supported; readable modes are ${list}`
    : `mode ${raw} is not an MRC data mode; readable modes are ${list}`;
}

/** Bytes per voxel value. */
export function modeBytes(mode: MrcMode): number {
  switch (mode) {
    case 0:
      return 1;
    case 1:
    case 6:
    case 12:
      return 2;
    case 2:
      return 4;
    default:
      return assertNeverMode(mode);
  }
}

export function modeName(mode: MrcMode): string {
  switch (mode) {
    case 0:
      return 'int8';
    case 1:
      return 'int16';
    case 2:
      return 'float32';
    case 6:
      return 'uint16';
    case 12:
      return 'float16';
    default:
      return assertNeverMode(mode);
  }
}

function assertNeverMode(mode: never): never {
  throw new Error(`unhandled MRC mode ${String(mode)}`);
}
