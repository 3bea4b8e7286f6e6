//! Colours for the large views: Okabe–Ito for categories (distinct for colour-blind readers) and a
//! perceptually even sequential map (viridis, sampled) for values and densities.

/// Okabe–Ito, as in `plot::palette`, as RGBA bytes.
pub const CATEGORIES: [[u8; 4]; 8] = [
    [0x00, 0x72, 0xB2, 0xFF],
    [0xD5, 0x5E, 0x00, 0xFF],
    [0x00, 0x9E, 0x73, 0xFF],
    [0xE6, 0x9F, 0x00, 0xFF],
    [0xCC, 0x79, 0xA7, 0xFF],
    [0x56, 0xB4, 0xE9, 0xFF],
    [0x00, 0x00, 0x00, 0xFF],
    [0xF0, 0xE4, 0x42, 0xFF],
];

pub fn category(index: u16) -> [u8; 4] {
    CATEGORIES[index as usize % CATEGORIES.len()]
}

/// Viridis at nine even stops; values between are interpolated linearly.
const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
];

/// Missing cells: light grey, so they read as "no value" rather than as a low one.
pub const MISSING: [u8; 4] = [0xE3, 0xE6, 0xEA, 0xFF];

/// `t` in [0, 1] → RGBA; NaN → [`MISSING`].
pub fn sequential(t: f64) -> [u8; 4] {
    if !t.is_finite() {
        return MISSING;
    }
    let t = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (t.floor() as usize).min(VIRIDIS.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    [mix(a[0], b[0]), mix(a[1], b[1]), mix(a[2], b[2]), 0xFF]
}
