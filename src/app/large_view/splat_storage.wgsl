// WebGPU: the ids are a storage buffer, one u32 per pixel of the target, filled by a compute pass.
@group(1) @binding(0) var<storage, read> ids: array<u32>;

fn target_size() -> vec2<i32> {
    return vec2<i32>(view.size.xy);
}

fn id_at(q: vec2<i32>) -> u32 {
    return ids[u32(q.y) * u32(view.size.x) + u32(q.x)];
}
