//! Large scatters in two passes (see `splat.wgsl`): first each pixel gets the draw number of the
//! last point falling in it — a compute pass on WebGPU, one 1-pixel point primitive per mark on
//! WebGL2 — then a full-screen pass colours each pixel by the latest disc covering it. Software
//! rasterisers spend most of their time setting up small triangles, so a million quads take seconds
//! where these passes take a fraction of that; the quads stay for small scatters (exact sub-pixel
//! centres, no neighbourhood search).
//!
//! On a software rasteriser pass 1 runs on the CPU instead (`large_view::binning`): there the
//! "GPU" is this same CPU, and a plain loop places a point in nanoseconds where the rasteriser's
//! point set-up takes half a microsecond. The ids are then uploaded for the resolve pass.

use super::bindings::{storage_entry, texture_entry, uniform_binding};
use crate::large_view::binning;
use crate::large_view::scene::INSTANCE_BYTES;

/// From this many points a scatter is drawn in two passes.
pub const SPLAT_FROM: u32 = 100_000;
/// Discs wider than this (device pixels) would make the resolve pass read too many pixels.
pub const MAX_RADIUS: f32 = 6.0;
/// Texels per row of the points' colour texture (WebGL2 guarantees at least 2048).
const COLOUR_ROW: u32 = 2048;
/// Compute workgroup size in `splat_compute.wgsl`.
const WORKGROUP: u32 = 256;

/// A point's diameter as a share of the largest, 1–255 (stored in its colour's alpha; the resolve
/// pass scales the largest radius by it).
pub fn size_share(diameter: f32, largest: f32) -> u8 {
    if largest > 0.0 {
        (diameter / largest * 255.0).round().clamp(1.0, 255.0) as u8
    } else {
        255
    }
}

pub use crate::large_view::protocol::PassOne;

/// Where pass 1 runs on this adapter: the CPU places points faster than a software rasteriser
/// (SwiftShader, llvmpipe) does.
pub fn pass_one_for(info: &wgpu::AdapterInfo) -> PassOne {
    let name = info.name.to_lowercase();
    let software = info.device_type == wgpu::DeviceType::Cpu
        || ["swiftshader", "llvmpipe", "software"]
            .iter()
            .any(|s| name.contains(s));
    if software {
        PassOne::Cpu
    } else {
        PassOne::Gpu
    }
}

/// Where pass 1 leaves the draw numbers.
enum Ids {
    /// WebGL2: an R32Uint texture written by point primitives (or by the CPU's upload).
    Texture(wgpu::Texture, wgpu::TextureView),
    /// WebGPU: a storage buffer written by the compute pass (or by the CPU's upload), with the
    /// compute pass's bind group.
    Buffer(wgpu::Buffer, wgpu::BindGroup),
}

struct Target {
    size: (u32, u32),
    ids: Ids,
    resolve_group: wgpu::BindGroup,
}

struct Compute {
    pipeline: wgpu::ComputePipeline,
    uniform_group: wgpu::BindGroup,
    layout: wgpu::BindGroupLayout,
}

pub struct Splat {
    /// `splat.wgsl` completed by the variant that says where the ids are.
    module: wgpu::ShaderModule,
    resolve_layout: wgpu::BindGroupLayout,
    resolve_pipeline_layout: wgpu::PipelineLayout,
    resolve: Vec<(wgpu::TextureFormat, wgpu::RenderPipeline)>,
    /// WebGL2's pass 1 (point primitives); None on WebGPU, which uses `compute`.
    points: Option<wgpu::RenderPipeline>,
    compute: Option<Compute>,
    /// Each point's colour (RGBA) at texel (i % COLOUR_ROW, i / COLOUR_ROW); None when the points
    /// do not fit one texture (the quads draw them then).
    colours: Option<wgpu::Texture>,
    /// The largest point's radius in CSS pixels (each point's own is a share of it, see `size_share`).
    pub radius: f32,
    target: Option<Target>,
    pub pass_one: PassOne,
    /// The CPU's pass 1 output, kept between frames so a redraw allocates nothing.
    cpu_ids: Vec<u32>,
    /// The camera (clip transform, target size) the uploaded CPU ids were placed for.
    cpu_ids_for: Option<([f32; 4], (u32, u32))>,
}

impl Splat {
    /// `compute`: WebGPU (storage buffers and compute passes); otherwise WebGL2's point primitives.
    pub fn new(
        device: &wgpu::Device,
        uniform_layout: &wgpu::BindGroupLayout,
        uniform: &wgpu::Buffer,
        compute: bool,
    ) -> Self {
        let variant = if compute {
            include_str!("splat_storage.wgsl")
        } else {
            include_str!("splat_texture.wgsl")
        };
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("splat"),
            source: wgpu::ShaderSource::Wgsl(
                format!("{}\n{variant}", include_str!("splat.wgsl")).into(),
            ),
        });
        let ids_entry = if compute {
            storage_entry(0, wgpu::ShaderStages::FRAGMENT, true)
        } else {
            texture_entry(0, wgpu::TextureSampleType::Uint)
        };
        let resolve_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("resolve"),
            entries: &[
                ids_entry,
                texture_entry(1, wgpu::TextureSampleType::Float { filterable: false }),
            ],
        });
        let resolve_pipeline_layout =
            device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some("resolve"),
                bind_group_layouts: &[Some(uniform_layout), Some(&resolve_layout)],
                immediate_size: 0,
            });
        let (points, compute) = if compute {
            (None, Some(Compute::new(device, uniform)))
        } else {
            (Some(point_pipeline(device, &module, uniform_layout)), None)
        };
        Self {
            module,
            resolve_layout,
            resolve_pipeline_layout,
            resolve: Vec::new(),
            points,
            compute,
            colours: None,
            radius: 0.0,
            target: None,
            pass_one: PassOne::Gpu,
            cpu_ids: Vec::new(),
            cpu_ids_for: None,
        }
    }

    /// The points' colours (`colour(i)` for point i) and largest diameter; `count` 0 turns the
    /// two-pass path off for this scatter.
    pub fn upload(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        count: usize,
        colour: impl Fn(usize) -> [u8; 4],
        largest_diameter: f32,
        max_texture_side: u32,
    ) {
        self.colours = None;
        self.target = None;
        self.cpu_ids_for = None;
        let rows = (count as u32).div_ceil(COLOUR_ROW).max(1);
        if count == 0 || rows > max_texture_side {
            return;
        }
        self.radius = largest_diameter / 2.0;
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("point colours"),
            size: wgpu::Extent3d {
                width: COLOUR_ROW,
                height: rows,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
            view_formats: &[],
        });
        // A band of rows at a time, so the colours never sit whole in memory.
        let band = 64u32;
        let mut texels = Vec::with_capacity((band * COLOUR_ROW * 4) as usize);
        for first in (0..rows).step_by(band as usize) {
            let height = band.min(rows - first);
            texels.clear();
            for i in (first * COLOUR_ROW) as usize..((first + height) * COLOUR_ROW) as usize {
                texels.extend_from_slice(&if i < count { colour(i) } else { [0; 4] });
            }
            queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d {
                        x: 0,
                        y: first,
                        z: 0,
                    },
                    aspect: wgpu::TextureAspect::All,
                },
                &texels,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(COLOUR_ROW * 4),
                    rows_per_image: Some(height),
                },
                wgpu::Extent3d {
                    width: COLOUR_ROW,
                    height,
                    depth_or_array_layers: 1,
                },
            );
        }
        self.colours = Some(texture);
    }

    /// The target for `size` device pixels, made when the size changes.
    fn target_for(
        &mut self,
        device: &wgpu::Device,
        points: &wgpu::Buffer,
        size: (u32, u32),
    ) -> Option<&Target> {
        let colours = self.colours.as_ref()?;
        if self.target.as_ref().map(|t| t.size) != Some(size) {
            self.target = Some(self.make_target(device, colours, points, size));
            self.cpu_ids_for = None;
        }
        self.target.as_ref()
    }

    /// The CPU's pass 1 for the frame with clip `transform` and `size` device pixels: places the
    /// points (`xs`, `ys` in draw order) and uploads one id per pixel.
    #[allow(clippy::too_many_arguments)]
    pub fn write_cpu_ids(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        points: &wgpu::Buffer,
        xs: &[f32],
        ys: &[f32],
        transform: [f32; 4],
        size: (u32, u32),
    ) {
        if self.cpu_ids_for == Some((transform, size))
            || self.target_for(device, points, size).is_none()
        {
            return;
        }
        let mut ids = std::mem::take(&mut self.cpu_ids);
        binning::last_point_per_pixel(xs, ys, transform, size.0, size.1, &mut ids);
        let bytes: &[u8] = bytemuck::cast_slice(&ids);
        match self.target.as_ref().map(|t| &t.ids) {
            Some(Ids::Buffer(buffer, _)) => queue.write_buffer(buffer, 0, bytes),
            Some(Ids::Texture(texture, _)) => queue.write_texture(
                texture.as_image_copy(),
                bytes,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(size.0 * 4),
                    rows_per_image: Some(size.1),
                },
                wgpu::Extent3d {
                    width: size.0,
                    height: size.1,
                    depth_or_array_layers: 1,
                },
            ),
            None => {}
        }
        self.cpu_ids = ids;
        self.cpu_ids_for = Some((transform, size));
    }

    /// Pass 1 for a target of `size` device pixels; the resolve pass's bind group, or None when
    /// the points could not be prepared (the caller draws quads). With the CPU's pass 1 the ids
    /// must have been written for this very camera (`write_cpu_ids`).
    #[allow(clippy::too_many_arguments)]
    pub fn encode_ids(
        &mut self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        uniform_group: &wgpu::BindGroup,
        points: &wgpu::Buffer,
        count: u32,
        transform: [f32; 4],
        size: (u32, u32),
    ) -> Option<&wgpu::BindGroup> {
        self.target_for(device, points, size)?;
        if self.pass_one == PassOne::Cpu {
            return (self.cpu_ids_for == Some((transform, size)))
                .then(|| self.target.as_ref().map(|t| &t.resolve_group))
                .flatten();
        }
        let target = self.target.as_ref()?;
        match &target.ids {
            Ids::Buffer(buffer, group) => {
                let compute = self.compute.as_ref()?;
                encoder.clear_buffer(buffer, 0, None);
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("point ids"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(&compute.pipeline);
                pass.set_bind_group(0, &compute.uniform_group, &[]);
                pass.set_bind_group(1, group, &[]);
                let groups = count.div_ceil(WORKGROUP).max(1);
                let x = groups.min(65_535);
                pass.dispatch_workgroups(x, groups.div_ceil(x), 1);
            }
            Ids::Texture(_, view) => {
                let pipeline = self.points.as_ref()?;
                let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("point ids"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    depth_stencil_attachment: None,
                    timestamp_writes: None,
                    occlusion_query_set: None,
                    multiview_mask: None,
                });
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, uniform_group, &[]);
                pass.set_vertex_buffer(0, points.slice(..));
                pass.draw(0..count, 0..1);
            }
        }
        Some(&target.resolve_group)
    }

    fn make_target(
        &self,
        device: &wgpu::Device,
        colours: &wgpu::Texture,
        points: &wgpu::Buffer,
        size: (u32, u32),
    ) -> Target {
        let colours = colours.create_view(&Default::default());
        let colour_entry = wgpu::BindGroupEntry {
            binding: 1,
            resource: wgpu::BindingResource::TextureView(&colours),
        };
        let ids = match &self.compute {
            Some(compute) => {
                let buffer = device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("point ids"),
                    size: u64::from(size.0) * u64::from(size.1) * 4,
                    usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: Some("point ids"),
                    layout: &compute.layout,
                    entries: &[
                        wgpu::BindGroupEntry {
                            binding: 0,
                            resource: points.as_entire_binding(),
                        },
                        wgpu::BindGroupEntry {
                            binding: 1,
                            resource: buffer.as_entire_binding(),
                        },
                    ],
                });
                Ids::Buffer(buffer, group)
            }
            None => {
                let texture = device.create_texture(&wgpu::TextureDescriptor {
                    label: Some("point ids"),
                    size: wgpu::Extent3d {
                        width: size.0,
                        height: size.1,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format: wgpu::TextureFormat::R32Uint,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                        | wgpu::TextureUsages::TEXTURE_BINDING
                        | wgpu::TextureUsages::COPY_DST,
                    view_formats: &[],
                });
                let view = texture.create_view(&Default::default());
                Ids::Texture(texture, view)
            }
        };
        let ids_resource = match &ids {
            Ids::Buffer(buffer, _) => buffer.as_entire_binding(),
            Ids::Texture(_, view) => wgpu::BindingResource::TextureView(view),
        };
        let resolve_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("resolve"),
            layout: &self.resolve_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: ids_resource,
                },
                colour_entry,
            ],
        });
        Target {
            size,
            ids,
            resolve_group,
        }
    }

    /// Pass 2's pipeline for a target format, blending like the quads.
    pub fn resolve_pipeline(
        &mut self,
        device: &wgpu::Device,
        target: &wgpu::ColorTargetState,
    ) -> &wgpu::RenderPipeline {
        let i = match self.resolve.iter().position(|(f, _)| *f == target.format) {
            Some(i) => i,
            None => {
                let pipeline = device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some("resolve"),
                    layout: Some(&self.resolve_pipeline_layout),
                    vertex: wgpu::VertexState {
                        module: &self.module,
                        entry_point: Some("resolve_vs"),
                        compilation_options: Default::default(),
                        buffers: &[],
                    },
                    primitive: wgpu::PrimitiveState::default(),
                    depth_stencil: None,
                    multisample: wgpu::MultisampleState::default(),
                    fragment: Some(wgpu::FragmentState {
                        module: &self.module,
                        entry_point: Some("resolve_fs"),
                        compilation_options: Default::default(),
                        targets: &[Some(target.clone())],
                    }),
                    multiview_mask: None,
                    cache: None,
                });
                self.resolve.push((target.format, pipeline));
                self.resolve.len() - 1
            }
        };
        &self.resolve[i].1
    }
}

/// WebGL2's pass 1: the vertex buffer's positions as 1-pixel points writing their draw number.
fn point_pipeline(
    device: &wgpu::Device,
    module: &wgpu::ShaderModule,
    uniform_layout: &wgpu::BindGroupLayout,
) -> wgpu::RenderPipeline {
    let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("point ids"),
        bind_group_layouts: &[Some(uniform_layout)],
        immediate_size: 0,
    });
    let attributes = wgpu::vertex_attr_array![0 => Float32x2];
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some("point ids"),
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some("splat_vs"),
            compilation_options: Default::default(),
            buffers: &[Some(wgpu::VertexBufferLayout {
                array_stride: INSTANCE_BYTES as u64,
                step_mode: wgpu::VertexStepMode::Vertex,
                attributes: &attributes,
            })],
        },
        primitive: wgpu::PrimitiveState {
            topology: wgpu::PrimitiveTopology::PointList,
            ..Default::default()
        },
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some("splat_fs"),
            compilation_options: Default::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format: wgpu::TextureFormat::R32Uint,
                blend: None,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

impl Compute {
    fn new(device: &wgpu::Device, uniform: &wgpu::Buffer) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("point ids"),
            source: wgpu::ShaderSource::Wgsl(include_str!("splat_compute.wgsl").into()),
        });
        let (uniform_layout, uniform_group) = uniform_binding(
            device,
            uniform,
            wgpu::ShaderStages::COMPUTE,
            "view (compute)",
        );
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("point ids"),
            entries: &[
                storage_entry(0, wgpu::ShaderStages::COMPUTE, true),
                storage_entry(1, wgpu::ShaderStages::COMPUTE, false),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("point ids"),
            bind_group_layouts: &[Some(&uniform_layout), Some(&layout)],
            immediate_size: 0,
        });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("point ids"),
            layout: Some(&pipeline_layout),
            module: &module,
            entry_point: Some("splat_cs"),
            compilation_options: Default::default(),
            cache: None,
        });
        Self {
            pipeline,
            uniform_group,
            layout,
        }
    }
}
