/**
 * Literature behind the methods page (level0-spec.md §15), with DOIs. Each item's spec lists the
 * keys of the references that support it.
 */

/** One cited work. */
export interface Reference {
  key: string;
  /** "Vilas et al. 2018": how the methods page cites it in running text. */
  short: string;
  text: string;
  doi: string;
  note: string;
}

/** Every reference of the methods page, in citation order (VRS first). */
export const REFERENCES: readonly Reference[] = [
  { key: 'sorzano2022', short: 'Sorzano et al. 2022', text: 'Sorzano, C.O.S. et al. (2022). Faraday Discuss. 240.', doi: '10.1039/D2FD00059H', note: 'The Validation Report Service (VRS) whose Level 0 these reports re-implement.' },
  { key: 'rosenthal2003', short: 'Rosenthal & Henderson 2003', text: 'Rosenthal, P.B. & Henderson, R. (2003). J. Mol. Biol. 333, 721–745.', doi: '10.1016/j.jmb.2003.07.013', note: 'Guinier plot and automatic B-factor fit.' },
  { key: 'ramirez2019', short: 'Ramírez-Aportela et al. 2019', text: 'Ramírez-Aportela, E. et al. (2019). IUCrJ 6, 1054–1063.', doi: '10.1107/S2052252519011692', note: 'DeepRes, the neural local-resolution method used by VRS (replaced here).' },
  { key: 'vilas2018', short: 'Vilas et al. 2018', text: 'Vilas, J.L. et al. (2018). Structure 26, 337–344.', doi: '10.1016/j.str.2017.12.018', note: 'MonoRes, the local-resolution method used here.' },
  { key: 'kaur2021', short: 'Kaur et al. 2021', text: 'Kaur, S. et al. (2021). Nat. Commun. 12, 1240.', doi: '10.1038/s41467-021-21509-5', note: 'LocSpiral, LocBFactor and LocOccupancy.' },
  { key: 'garcia2022', short: 'Garcia Condado et al. 2022', text: 'Garcia Condado, J. et al. (2022). J. Struct. Biol. 214, 107915.', doi: '10.1016/j.jsb.2022.107915', note: 'DeepHand (HaPi), the neural hand test used by VRS (replaced here).' },
  { key: 'larkin2001', short: 'Larkin et al. 2001', text: 'Larkin, K.G., Bone, D.J. & Oldfield, M.A. (2001). J. Opt. Soc. Am. A 18, 1862–1870.', doi: '10.1364/JOSAA.18.001862', note: 'Spiral phase quadrature transform.' },
  { key: 'felsberg2001', short: 'Felsberg & Sommer 2001', text: 'Felsberg, M. & Sommer, G. (2001). IEEE Trans. Signal Process. 49, 3136–3144.', doi: '10.1109/78.969520', note: 'The monogenic signal.' },
  { key: 'kucukelbir2014', short: 'Kucukelbir et al. 2014', text: 'Kucukelbir, A., Sigworth, F.J. & Tagare, H.D. (2014). Nat. Methods 11, 63–65.', doi: '10.1038/nmeth.2727', note: 'ResMap, an alternative local-resolution method.' },
  { key: 'jiang2001', short: 'Jiang et al. 2001', text: 'Jiang, W., Baker, M.L., Ludtke, S.J. & Chiu, W. (2001). J. Mol. Biol. 308, 1033–1044.', doi: '10.1006/jmbi.2001.4633', note: 'helixhunter: α-helix detection in density maps.' },
  { key: 'baker2007', short: 'Baker et al. 2007', text: 'Baker, M.L., Ju, T. & Chiu, W. (2007). Structure 15, 7–19.', doi: '10.1016/j.str.2006.11.008', note: 'SSEhunter: secondary-structure elements in density maps.' },
  { key: 'frangi1998', short: 'Frangi et al. 1998', text: 'Frangi, A.F., Niessen, W.J., Vincken, K.L. & Viergever, M.A. (1998). MICCAI 1998, LNCS 1496, 130–137.', doi: '10.1007/BFb0056195', note: 'Hessian-based tube (vesselness) filter.' },
  { key: 'pauling1951', short: 'Pauling et al. 1951', text: 'Pauling, L., Corey, R.B. & Branson, H.R. (1951). Proc. Natl Acad. Sci. USA 37, 205–211.', doi: '10.1073/pnas.37.4.205', note: 'The α-helix and its geometry.' },
  { key: 'saxton1982', short: 'Saxton & Baumeister 1982', text: 'Saxton, W.O. & Baumeister, W. (1982). J. Microsc. 127, 127–138.', doi: '10.1111/j.1365-2818.1982.tb00405.x', note: 'The Fourier shell (ring) correlation between independent reconstructions.' },
  { key: 'vanheel2005', short: 'van Heel & Schatz 2005', text: 'van Heel, M. & Schatz, M. (2005). J. Struct. Biol. 151, 250–262.', doi: '10.1016/j.jsb.2005.05.009', note: 'Information-based FSC thresholds (half-bit, 1-bit).' },
  { key: 'chen2013', short: 'Chen et al. 2013', text: 'Chen, S. et al. (2013). Ultramicroscopy 135, 24–35.', doi: '10.1016/j.ultramic.2013.06.004', note: 'High-resolution noise substitution: the phase-randomisation correction of the masked FSC.' },
  { key: 'frank1981', short: 'Frank et al. 1981', text: 'Frank, J., Verschoor, A. & Boublik, M. (1981). Science 214, 1353–1355.', doi: '10.1126/science.7313694', note: 'The differential phase residual (DPR).' },
  { key: 'unser1987', short: 'Unser et al. 1987', text: 'Unser, M., Trus, B.L. & Steven, A.C. (1987). Ultramicroscopy 23, 39–51.', doi: '10.1016/0304-3991(87)90225-7', note: 'A resolution criterion based on the spectral signal-to-noise ratio.' },
  { key: 'beckers2020', short: 'Beckers & Sachse 2020', text: 'Beckers, M. & Sachse, C. (2020). J. Struct. Biol. 212, 107579.', doi: '10.1016/j.jsb.2020.107579', note: 'Permutation testing of the FSC with false-discovery-rate control (FDR-FSC).' },
  { key: 'cardone2013', short: 'Cardone, Heymann & Steven 2013', text: 'Cardone, G., Heymann, J.B. & Steven, A.C. (2013). J. Struct. Biol. 184, 226–236.', doi: '10.1016/j.jsb.2013.08.002', note: 'Blocres: local resolution by the FSC of the half maps in a small window.' },
  { key: 'vilas2023', short: 'Vilas & Tagare 2023', text: 'Vilas, J.L. & Tagare, H.D. (2023). Nat. Methods 20, 1021–1024.', doi: '10.1038/s41592-023-01874-3', note: 'The Fourier shell occupancy (FSO) and the Bingham test of directional anisotropy.' },
  { key: 'bingham1974', short: 'Bingham 1974', text: 'Bingham, C. (1974). Ann. Statist. 2, 1201–1225.', doi: '10.1214/aos/1176342874', note: 'An antipodally symmetric distribution on the sphere; the test of uniformly distributed axes.' },
  { key: 'tan2017', short: 'Tan et al. 2017', text: 'Tan, Y.Z. et al. (2017). Nat. Methods 14, 793–796.', doi: '10.1038/nmeth.4347', note: 'The 3-D FSC: directional resolution in cones of Fourier space, and its sphericity.' },
  { key: 'wadell1935', short: 'Wadell 1935', text: 'Wadell, H. (1935). J. Geol. 43, 250–280.', doi: '10.1086/624298', note: 'Sphericity: the surface of the sphere of the same volume over the surface of the body.' },
  { key: 'afonine2018', short: 'Afonine et al. 2018', text: 'Afonine, P.V. et al. (2018). Acta Cryst. D74, 814–840.', doi: '10.1107/S2059798318009324', note: 'Map–model correlations (CC_mask, CC_box, CC_volume, CC_peaks), the map–model FSC and d99 of Phenix validation_cryoem.' },
  { key: 'peng1996', short: 'Peng et al. 1996', text: 'Peng, L.-M., Ren, G., Dudarev, S.L. & Whelan, M.J. (1996). Acta Cryst. A52, 257–276.', doi: '10.1107/S0108767395014371', note: 'Five-Gaussian fits of the electron scattering factors, used for the model map.' },
  { key: 'wang2022', short: 'Wang et al. 2022', text: 'Wang, Z., Patwardhan, A. & Kleywegt, G.J. (2022). Acta Cryst. D78, 542–552.', doi: '10.1107/S205979832200328X', note: 'EMDB validation analysis: atom inclusion of the model at the recommended contour level.' },
  { key: 'pintilie2020', short: 'Pintilie et al. 2020', text: 'Pintilie, G. et al. (2020). Nat. Methods 17, 328–334.', doi: '10.1038/s41592-020-0731-1', note: 'Q-score: the resolvability of each atom in a cryo-EM map, and the expected Q at a resolution.' },
  { key: 'pintilie2025', short: 'Pintilie et al. 2025', text: 'Pintilie, G. et al. (2025). Acta Cryst. D81, 410–422.', doi: '10.1107/S2059798325005923', note: 'Q-score across ~10,000 EMDB entries; Q_relative_all and Q_relative_resolution.' },
  { key: 'barad2015', short: 'Barad et al. 2015', text: 'Barad, B.A., Echols, N., Wang, R.Y.-R., Cheng, Y., DiMaio, F., Adams, P.D. & Fraser, J.S. (2015). Nat. Methods 12, 943–946.', doi: '10.1038/nmeth.3541', note: 'EMRinger: the χ1 scan of side-chain density, its rotameric-peak Z-score and the EMRinger score.' },
  { key: 'lang2010', short: 'Lang et al. 2010', text: 'Lang, P.T. et al. (2010). Protein Sci. 19, 1420–1431.', doi: '10.1002/pro.423', note: 'Ringer: electron density sampled along side-chain dihedral angles.' },
];

/** The references with these keys, in list order; an unknown key throws (a spec typo). */
export function referencesFor(keys: readonly string[]): Reference[] {
  for (const k of keys) if (!REFERENCES.some((r) => r.key === k)) throw new Error(`unknown reference key "${k}"`);
  return REFERENCES.filter((r) => keys.includes(r.key));
}
