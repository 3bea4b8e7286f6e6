//! Pass 1 of a large scatter on the CPU: which point is the last one drawn in each pixel.
//!
//! On a real GPU this pass is a compute pass (WebGPU) or one point primitive per mark (WebGL2), and
//! it is nearly free. On a software rasteriser (SwiftShader, llvmpipe) the "GPU" is this same CPU,
//! and its general rasteriser spends about half a microsecond setting up each point primitive; a
//! dedicated loop does the same job in a few nanoseconds per point. The GPU still draws the marks
//! (the resolve pass turns these ids into discs, colours and edges), so both paths give one image.

/// Fills `ids` (one entry per pixel of a `width` × `height` target, top row first) with the draw
/// number (index + 1) of the last point whose centre falls in that pixel, 0 where none does.
/// `transform` maps data to clip space as the shaders do (`clip = data * xy + zw`), and the pixel
/// is found the way `splat_compute.wgsl` finds it, so the CPU and GPU passes agree pixel for pixel.
pub fn last_point_per_pixel(
    xs: &[f32],
    ys: &[f32],
    transform: [f32; 4],
    width: u32,
    height: u32,
    ids: &mut Vec<u32>,
) {
    let (w, h) = (width as usize, height as usize);
    ids.clear();
    ids.resize(w * h, 0);
    let (fw, fh) = (width as f32, height as f32);
    let [ax, ay, bx, by] = transform;
    for (i, (&x, &y)) in xs.iter().zip(ys).enumerate() {
        let cx = x * ax + bx;
        let cy = y * ay + by;
        let px = ((cx + 1.0) * 0.5 * fw).floor();
        let py = ((1.0 - cy) * 0.5 * fh).floor();
        // NaN fails both comparisons as well, so such a point is never written.
        if px >= 0.0 && py >= 0.0 && px < fw && py < fh {
            ids[py as usize * w + px as usize] = i as u32 + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_lands_on_the_pixel_its_clip_position_names() {
        // Data [0, 10] x [0, 10] onto 10 x 10 pixels: (2.5, 7.5) is column 2, row 2 (y up).
        let t = [0.2, 0.2, -1.0, -1.0];
        let mut ids = Vec::new();
        last_point_per_pixel(&[2.5], &[7.5], t, 10, 10, &mut ids);
        let hit: Vec<usize> = (0..100).filter(|&p| ids[p] != 0).collect();
        assert_eq!(hit, vec![2 * 10 + 2]);
        assert_eq!(ids[22], 1);
    }

    #[test]
    fn the_later_point_wins_a_shared_pixel_and_outside_points_are_skipped() {
        let t = [0.2, 0.2, -1.0, -1.0];
        let mut ids = vec![7; 3];
        let xs = [5.1, 5.2, -0.1, 10.0, f32::NAN];
        let ys = [5.1, 5.3, 5.0, 5.0, 5.0];
        last_point_per_pixel(&xs, &ys, t, 10, 10, &mut ids);
        assert_eq!(ids.len(), 100);
        assert_eq!(ids[4 * 10 + 5], 2);
        assert_eq!(ids.iter().filter(|&&id| id != 0).count(), 1);
    }
}
