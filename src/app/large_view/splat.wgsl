// Large scatters (hundreds of thousands of points and more) in two passes, because a software
// rasteriser spends most of its time setting up the two triangles of each point's quad:
// 1. each pixel gets the draw number (index + 1) of the last point that falls in it: on WebGL2 by
//    one 1-pixel point primitive per mark into an id texture (primitives land in submission order),
//    on WebGPU by a compute pass taking the atomic maximum in a storage buffer;
// 2. a full-screen pass gives each pixel the colour of the latest point whose disc covers it.
// This file is completed by splat_texture.wgsl or splat_storage.wgsl, which say where the ids are
// (`id_at`, `target_size`).
struct View {
    transform: vec4<f32>, // clip = data * xy + zw
    size: vec4<f32>,      // width, height (device px), pixel ratio, disc radius (device px)
    rect: vec4<f32>,
};
@group(0) @binding(0) var<uniform> view: View;

struct SplatOut {
    @builtin(position) position: vec4<f32>,
    @location(0) @interpolate(flat) id: u32,
};

@vertex
fn splat_vs(@builtin(vertex_index) index: u32, @location(0) xy: vec2<f32>) -> SplatOut {
    var out: SplatOut;
    out.position = vec4<f32>(xy * view.transform.xy + view.transform.zw, 0.0, 1.0);
    out.id = index + 1u;
    return out;
}

@fragment
fn splat_fs(in: SplatOut) -> @location(0) vec4<u32> {
    return vec4<u32>(in.id, 0u, 0u, 0u);
}

@group(1) @binding(1) var colours: texture_2d<f32>;

@vertex
fn resolve_vs(@builtin(vertex_index) corner: u32) -> @builtin(position) vec4<f32> {
    // One triangle covering the whole target.
    let x = f32((corner << 1u) & 2u) * 2.0 - 1.0;
    let y = f32(corner & 2u) * 2.0 - 1.0;
    return vec4<f32>(x, y, 0.0, 1.0);
}

@fragment
fn resolve_fs(@builtin(position) position: vec4<f32>) -> @location(0) vec4<f32> {
    // The largest disc's radius; a point's own is a share of it, kept in its colour's alpha.
    let radius = view.size.w;
    // Only pixels nearer than radius + 0.5 get any coverage: 3 x 3 for the usual 3-pixel points.
    let edge = radius + 0.5;
    let reach = i32(floor(edge - 0.001));
    let here = vec2<i32>(floor(position.xy));
    let dims = target_size();
    let width = u32(textureDimensions(colours).x);
    var best = 0u;
    var coverage = 0.0;
    var colour = vec4<f32>(0.0);
    for (var dy = -reach; dy <= reach; dy = dy + 1) {
        let span = i32(floor(sqrt(max(edge * edge - f32(dy * dy), 0.0)) - 0.001));
        for (var dx = -span; dx <= span; dx = dx + 1) {
            let q = here + vec2<i32>(dx, dy);
            if q.x < 0 || q.y < 0 || q.x >= dims.x || q.y >= dims.y {
                continue;
            }
            let id = id_at(q);
            if id <= best {
                continue;
            }
            let k = id - 1u;
            let texel = textureLoad(colours, vec2<i32>(i32(k % width), i32(k / width)), 0);
            // The disc's edge fades over half a pixel, as the quads' does.
            let c = clamp(radius * texel.a + 0.5 - length(vec2<f32>(f32(dx), f32(dy))), 0.0, 1.0);
            if c > 0.0 {
                best = id;
                coverage = c;
                colour = texel;
            }
        }
    }
    if best == 0u {
        discard;
    }
    return vec4<f32>(colour.rgb, coverage);
}
