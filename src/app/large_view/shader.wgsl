// Marks for the large views. One uniform: data → clip transform, plot size in device pixels, the
// device pixel ratio, and the data rectangle an image (heatmap or density grid) covers.
struct View {
    transform: vec4<f32>, // clip = data * xy + zw
    size: vec4<f32>,      // width, height (device px), pixel ratio, unused
    rect: vec4<f32>,      // image: x0, y0, x1, y1 (data)
};
@group(0) @binding(0) var<uniform> view: View;

struct PointOut {
    @builtin(position) position: vec4<f32>,
    @location(0) colour: vec4<f32>,
    @location(1) local: vec2<f32>, // pixels from the point's centre
    @location(2) radius: f32,      // device pixels
};

@vertex
fn point_vs(
    @builtin(vertex_index) corner: u32,
    @location(0) xy: vec2<f32>,
    @location(1) colour: vec4<f32>,
    @location(2) diameter: f32,
) -> PointOut {
    var corners = array<vec2<f32>, 6>(
        vec2<f32>(-1.0, -1.0), vec2<f32>(1.0, -1.0), vec2<f32>(-1.0, 1.0),
        vec2<f32>(-1.0, 1.0), vec2<f32>(1.0, -1.0), vec2<f32>(1.0, 1.0),
    );
    let c = corners[corner];
    let radius = diameter * view.size.z * 0.5;
    // Half a pixel more than the disc so its edge can fade (anti-aliasing).
    let half = radius + 0.5;
    let centre = xy * view.transform.xy + view.transform.zw;
    var out: PointOut;
    out.position = vec4<f32>(centre + c * half * 2.0 / view.size.xy, 0.0, 1.0);
    out.colour = colour;
    out.local = c * half;
    out.radius = radius;
    return out;
}

@fragment
fn point_fs(in: PointOut) -> @location(0) vec4<f32> {
    let coverage = clamp(in.radius + 0.5 - length(in.local), 0.0, 1.0);
    if coverage <= 0.0 {
        discard;
    }
    return vec4<f32>(in.colour.rgb, in.colour.a * coverage);
}

@group(1) @binding(0) var image: texture_2d<f32>;

struct ImageOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
};

@vertex
fn image_vs(@builtin(vertex_index) corner: u32) -> ImageOut {
    // Texture row 0 is the top of the rectangle (y1).
    var uvs = array<vec2<f32>, 6>(
        vec2<f32>(0.0, 1.0), vec2<f32>(1.0, 1.0), vec2<f32>(0.0, 0.0),
        vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 1.0), vec2<f32>(1.0, 0.0),
    );
    let uv = uvs[corner];
    let xy = vec2<f32>(mix(view.rect.x, view.rect.z, uv.x), mix(view.rect.w, view.rect.y, uv.y));
    var out: ImageOut;
    out.position = vec4<f32>(xy * view.transform.xy + view.transform.zw, 0.0, 1.0);
    out.uv = uv;
    return out;
}

@fragment
fn image_fs(in: ImageOut) -> @location(0) vec4<f32> {
    let dims = vec2<f32>(textureDimensions(image));
    let texel = vec2<i32>(clamp(floor(in.uv * dims), vec2<f32>(0.0), dims - 1.0));
    return textureLoad(image, texel, 0);
}
