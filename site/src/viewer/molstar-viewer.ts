/**
 * The entry page's 3-D viewer: Mol*'s plugin without its React interface, drawing into the page's
 * own element. Bundled on its own (scripts/site/viewer-bundle.ts → `<base>_viewer/molstar-viewer.js`)
 * and imported only when the reader asks for the 3-D view (src/scripts/viewer-loader.ts).
 *
 * Shows the compact map (report.json `viewer`, written by analyzers/figures/viewer-volumes.ts) as
 * an isosurface at its recorded contour, the model as cartoon plus ball-and-stick for hetero
 * groups, and colours the surface by a local-value map on request (Mol*'s "external-volume"
 * theme, which samples that volume at each surface vertex); with residue Q the cartoon takes the
 * same scale from the model's B-factor column, which holds each residue's Q. Files are gzip'd and unpacked here
 * with the browser's DecompressionStream, so any static server works. Nothing is fetched from
 * elsewhere (no entry ID is given to Mol*, which would otherwise ask EMDB for the contour).
 */
import { PluginContext } from 'molstar/lib/mol-plugin/context.js';
import { DefaultPluginSpec } from 'molstar/lib/mol-plugin/spec.js';
import { StateTransforms } from 'molstar/lib/mol-plugin-state/transforms.js';
import { createVolumeRepresentationParams } from 'molstar/lib/mol-plugin-state/helpers/volume-representation-params.js';
import { createStructureRepresentationParams } from 'molstar/lib/mol-plugin-state/helpers/structure-representation-params.js';
import { Color } from 'molstar/lib/mol-util/color/index.js';
import { getColorListFromName } from 'molstar/lib/mol-util/color/lists.js';
import type { StateObjectSelector } from 'molstar/lib/mol-state/index.js';
import type { PluginStateObject } from 'molstar/lib/mol-plugin-state/objects.js';

/** What the page tells the viewer: file URLs (already resolved against the page) and the contour. */
export interface ViewerConfig {
  map: { url: string; level: number };
  model?: { url: string; bFactorIsResidueQ: boolean };
  colourings: { id: string; name: string; url: string; range: [number, number]; lowIsGood: boolean }[];
}

export interface ViewerHandle {
  /** The WebGL renderer as the driver names it ("… SwiftShader …" without a GPU). */
  readonly renderer: string;
  /** Colours the surface by colouring `id` (null: plain). */
  colourBy(id: string | null): Promise<void>;
  dispose(): void;
}

const SURFACE_GREY = Color(0x9aa5b1);
/** Viridis, low values dark purple, high yellow: the scale of the report's static views. */
const VIRIDIS = getColorListFromName('viridis').list;

async function gunzipFetch(url: string): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
  const stream = res.body.pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

type VolumeSelector = StateObjectSelector<PluginStateObject.Volume.Data>;

async function loadVolume(plugin: PluginContext, url: string, label: string): Promise<VolumeSelector> {
  const bytes = await gunzipFetch(url);
  const data = await plugin.builders.data.rawData({ data: bytes, label });
  const parsed = await plugin.dataFormats.get('ccp4')!.parse(plugin, data);
  return parsed.volume as VolumeSelector;
}

export async function mountViewer(container: HTMLElement, config: ViewerConfig): Promise<ViewerHandle> {
  const plugin = new PluginContext(DefaultPluginSpec());
  await plugin.init();
  if (!(await plugin.mountAsync(container, { checkeredCanvasBackground: false }))) throw new Error('WebGL is not available in this browser');
  plugin.canvas3d?.setProps({ renderer: { backgroundColor: Color(0xffffff) } });
  // Without a GPU every frame is drawn on the CPU: ambient occlusion, bloom and the temporal
  // antialiasing (dozens of frames after each move) would keep the page busy for tens of seconds.
  const renderer = rendererName(plugin);
  if (/swiftshader|llvmpipe|softpipe|software/iu.test(renderer)) plugin.canvas3d?.setProps({ multiSample: { mode: 'off' }, postprocessing: { occlusion: { name: 'off', params: {} }, bloom: { name: 'off', params: {} } } });

  const map = await loadVolume(plugin, config.map.url, 'map');
  const colourVolumes = new Map<string, VolumeSelector>();
  for (const c of config.colourings) colourVolumes.set(c.id, await loadVolume(plugin, c.url, c.name));

  /** Surface parameters: plain grey, or coloured by a local-value map with viridis over its range (as the report's static views). */
  const surfaceParams = (id: string | null) => {
    const c = id === null ? undefined : config.colourings.find((x) => x.id === id);
    const sel = c ? colourVolumes.get(c.id) : undefined;
    const colour = c && sel
      ? {
          color: 'external-volume',
          colorParams: {
            volume: { ref: sel.ref, getValue: () => sel.data! },
            coloring: { name: 'absolute-value', params: { domain: { name: 'custom', params: c.range }, list: { kind: 'interpolate', colors: VIRIDIS } } },
            defaultColor: SURFACE_GREY,
          },
        }
      : { color: 'uniform', colorParams: { value: SURFACE_GREY } };
    // Mol*'s typed overloads do not accept a theme chosen at run time: the shape is its documented one.
    return createVolumeRepresentationParams(plugin, map.data, {
      type: 'isosurface',
      typeParams: { isoValue: { kind: 'absolute', absoluteValue: config.map.level }, alpha: config.model ? 0.45 : 1, tryUseGpu: false },
      ...colour,
    } as unknown as Parameters<typeof createVolumeRepresentationParams>[2]);
  };
  const surface = await plugin.build().to(map).apply(StateTransforms.Representation.VolumeRepresentation3D, surfaceParams(null)).commit();

  let cartoon: { selector: StateObjectSelector<PluginStateObject.Molecule.Structure.Representation3D>; structure: StateObjectSelector<PluginStateObject.Molecule.Structure> } | undefined;
  if (config.model) {
    const bytes = await gunzipFetch(config.model.url);
    const data = await plugin.builders.data.rawData({ data: new TextDecoder().decode(bytes), label: 'model' });
    const trajectory = await plugin.builders.structure.parseTrajectory(data, 'mmcif');
    const model = await plugin.builders.structure.createModel(trajectory);
    const structure = await plugin.builders.structure.createStructure(model);
    const polymer = await plugin.builders.structure.tryCreateComponentStatic(structure, 'polymer');
    if (polymer) cartoon = { selector: await plugin.builders.structure.representation.addRepresentation(polymer, { type: 'cartoon', color: 'chain-id' }), structure: polymer };
    const ligand = await plugin.builders.structure.tryCreateComponentStatic(structure, 'ligand');
    if (ligand) await plugin.builders.structure.representation.addRepresentation(ligand, { type: 'ball-and-stick' });
  }
  plugin.managers.camera.reset();

  return {
    renderer,
    async colourBy(id) {
      const update = plugin.build();
      update.to(surface).update(surfaceParams(id));
      // The model's B-factor column holds each residue's Q: the cartoon takes the surface's scale.
      const q = config.model?.bFactorIsResidueQ && id === 'A.e' ? config.colourings.find((c) => c.id === id) : undefined;
      if (cartoon) {
        const colour = q ? { color: 'uncertainty', colorParams: { domain: q.range, list: { kind: 'interpolate', colors: VIRIDIS } } } : { color: 'chain-id' };
        update.to(cartoon.selector).update(createStructureRepresentationParams(plugin, cartoon.structure.data, { type: 'cartoon', ...colour } as unknown as Parameters<typeof createStructureRepresentationParams>[2]));
      }
      await update.commit();
    },
    dispose() {
      plugin.dispose();
    },
  };
}

/** The WebGL renderer's own name, which tells a CPU renderer (SwiftShader, llvmpipe) from a GPU ("" when hidden). */
function rendererName(plugin: PluginContext): string {
  const gl = plugin.canvas3d?.webgl.gl;
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  return gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '';
}
