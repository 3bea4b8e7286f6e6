// WebGPU pass 1 of large scatters: one invocation per point keeps the largest draw number
// (index + 1) per pixel, which is the last point drawn there.
struct View {
    transform: vec4<f32>,
    size: vec4<f32>,
    rect: vec4<f32>,
};
@group(0) @binding(0) var<uniform> view: View;
// The vertex buffer's instances, 16 bytes each: x, y (f32), colour (RGBA8), diameter (f32).
@group(1) @binding(0) var<storage, read> points: array<vec4<u32>>;
@group(1) @binding(1) var<storage, read_write> ids: array<atomic<u32>>;

@compute @workgroup_size(256)
fn splat_cs(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
    let i = id.x + id.y * groups.x * 256u;
    if i >= arrayLength(&points) {
        return;
    }
    let p = points[i];
    let clip = vec2<f32>(bitcast<f32>(p.x), bitcast<f32>(p.y)) * view.transform.xy + view.transform.zw;
    // Clip space to pixels, y down, as the rasteriser maps a point's centre.
    let pixel = floor(vec2<f32>((clip.x + 1.0) * 0.5, (1.0 - clip.y) * 0.5) * view.size.xy);
    if pixel.x < 0.0 || pixel.y < 0.0 || pixel.x >= view.size.x || pixel.y >= view.size.y {
        return;
    }
    atomicMax(&ids[u32(pixel.y) * u32(view.size.x) + u32(pixel.x)], i + 1u);
}
