// WebGL2: the ids are a texture written by point primitives (splat_vs / splat_fs).
@group(1) @binding(0) var ids: texture_2d<u32>;

fn target_size() -> vec2<i32> {
    return vec2<i32>(textureDimensions(ids));
}

fn id_at(q: vec2<i32>) -> u32 {
    return textureLoad(ids, q, 0).r;
}
