//! The GPU backends (WebGPU and WebGL2 through wgpu's one API): marks uploaded once, each redraw
//! writes a 48-byte uniform and replays one render pass. Draws to the canvas, or into a texture
//! that is read back (PNG export, the pixel tests, the benchmark).

use std::sync::Arc;

use wasm_bindgen::JsCast;

use super::backend::Backend;
use super::bindings::{texture_entry, uniform_binding};
use super::splat::{self, PassOne, Splat};
use crate::large_view::colour;
use crate::large_view::scene::{ScatterScene, INSTANCE_BYTES};
use crate::large_view::{Bounds, Points};

/// Points per upload slice (1 MiB of instances).
const UPLOAD_SLICE: usize = 65_536;

/// Marks are drawn over white.
const BACKGROUND: wgpu::Color = wgpu::Color::WHITE;
/// Readback and offscreen targets: plain RGBA bytes, no sRGB conversion of our colours.
const OFFSCREEN_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// What a frame draws: the camera plus which of the uploaded marks to show.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    pub transform: [f32; 4],
    pub width: u32,
    pub height: u32,
    pub pixel_ratio: f32,
    pub points: bool,
    pub image: bool,
}

struct Pipelines {
    format: wgpu::TextureFormat,
    points: wgpu::RenderPipeline,
    image: wgpu::RenderPipeline,
    /// The quads' target and blending, which the large scatters' resolve pass shares.
    target: wgpu::ColorTargetState,
}

struct Image {
    bind_group: wgpu::BindGroup,
    rect: Bounds,
    size: (u32, u32),
    texture: wgpu::Texture,
}

pub struct GpuRenderer {
    pub backend: Backend,
    pub adapter_name: String,
    device: wgpu::Device,
    queue: wgpu::Queue,
    surface: Option<(wgpu::Surface<'static>, wgpu::SurfaceConfiguration)>,
    /// WebGL2 reports a lost context as an event on its canvas, not through wgpu.
    _context_lost: Option<ContextLostListener>,
    uniform: wgpu::Buffer,
    uniform_group: wgpu::BindGroup,
    image_layout: wgpu::BindGroupLayout,
    module: wgpu::ShaderModule,
    layout: wgpu::PipelineLayout,
    pipelines: Vec<Pipelines>,
    instances: Option<(wgpu::Buffer, u32)>,
    image: Option<Image>,
    /// Bound as group 1 when there is no image: the layout declares it for every pipeline.
    empty_image: wgpu::BindGroup,
    splat: Splat,
    /// Scatters with at least this many points use the two-pass path (tests lower it).
    pub splat_from: u32,
    pub max_texture_side: u32,
}

/// Called when the device is lost or reports an error it cannot recover from.
pub type OnLost = Arc<dyn Fn(String) + Send + Sync>;

impl GpuRenderer {
    /// A renderer on `backend` (WebGpu or WebGl2). `canvas` is where frames are presented; WebGL2
    /// needs it (its context comes from the canvas), WebGPU can render offscreen without one.
    pub async fn new(
        backend: Backend,
        canvas: Option<web_sys::OffscreenCanvas>,
        on_lost: OnLost,
    ) -> Result<Self, String> {
        let backends = match backend {
            Backend::WebGpu => wgpu::Backends::BROWSER_WEBGPU,
            Backend::WebGl2 => wgpu::Backends::GL,
            Backend::Canvas2d => return Err("Canvas2D is not a GPU backend".into()),
        };
        let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
        descriptor.backends = backends;
        let instance = wgpu::Instance::new(descriptor);
        let context_lost = match (&canvas, backend) {
            (Some(c), Backend::WebGl2) => Some(ContextLostListener::new(c, on_lost.clone())),
            _ => None,
        };
        let surface = match canvas.clone() {
            Some(c) => Some(
                instance
                    .create_surface(wgpu::SurfaceTarget::OffscreenCanvas(c))
                    .map_err(|e| format!("{} could not use the canvas: {e}", backend.name()))?,
            ),
            None => None,
        };
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                force_fallback_adapter: false,
                compatible_surface: surface.as_ref(),
                apply_limit_buckets: false,
            })
            .await
            .map_err(|e| format!("no {} adapter: {e}", backend.name()))?;
        let limits = adapter.limits();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("large view"),
                required_features: wgpu::Features::empty(),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| format!("{} refused a device: {e}", backend.name()))?;
        let lost = on_lost.clone();
        device.set_device_lost_callback(move |reason, message| {
            lost(format!(
                "the {} device was lost ({reason:?}: {message})",
                backend.name()
            ))
        });
        let errored = on_lost;
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            errored(format!("{} failed: {e}", backend.name()))
        }));
        let surface = match surface {
            Some(surface) => {
                let (w, h) = canvas
                    .as_ref()
                    .map_or((1, 1), |c| (c.width().max(1), c.height().max(1)));
                let caps = surface.get_capabilities(&adapter);
                let format = caps
                    .formats
                    .iter()
                    .copied()
                    .find(|f| !f.is_srgb())
                    .or_else(|| caps.formats.first().copied())
                    .ok_or_else(|| format!("{} offers no canvas format", backend.name()))?;
                let mut config = surface
                    .get_default_config(&adapter, w, h)
                    .ok_or_else(|| format!("{} cannot draw to this canvas", backend.name()))?;
                config.format = format;
                config.usage = wgpu::TextureUsages::RENDER_ATTACHMENT;
                surface.configure(&device, &config);
                Some((surface, config))
            }
            None => None,
        };
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("large view"),
            source: wgpu::ShaderSource::Wgsl(include_str!("shader.wgsl").into()),
        });
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("view"),
            size: 48,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let (uniform_layout, uniform_group) = uniform_binding(
            &device,
            &uniform,
            wgpu::ShaderStages::VERTEX_FRAGMENT,
            "view",
        );
        let image_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("image"),
            entries: &[texture_entry(
                0,
                wgpu::TextureSampleType::Float { filterable: false },
            )],
        });
        let layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("large view"),
            bind_group_layouts: &[Some(&uniform_layout), Some(&image_layout)],
            immediate_size: 0,
        });
        let empty = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("empty image"),
            size: wgpu::Extent3d {
                width: 1,
                height: 1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba8Unorm,
            usage: wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let empty_image = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("empty image"),
            layout: &image_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: wgpu::BindingResource::TextureView(
                    &empty.create_view(&Default::default()),
                ),
            }],
        });
        let mut splat = Splat::new(
            &device,
            &uniform_layout,
            &uniform,
            backend == Backend::WebGpu,
        );
        let mut info = adapter.get_info();
        if backend == Backend::WebGpu && info.name.is_empty() {
            // wgpu passes on only the adapter's description, which browsers mostly leave empty;
            // vendor and architecture ("google swiftshader") say what draws.
            if let Some((name, software)) = webgpu_adapter_words().await {
                info.name = name;
                if software {
                    info.device_type = wgpu::DeviceType::Cpu;
                }
            }
        }
        splat.pass_one = splat::pass_one_for(&info);
        let mut renderer = Self {
            backend,
            adapter_name: if info.name.is_empty() {
                format!("{:?}", info.backend)
            } else {
                info.name
            },
            device,
            queue,
            surface,
            uniform,
            uniform_group,
            image_layout,
            module,
            layout,
            pipelines: Vec::new(),
            instances: None,
            image: None,
            empty_image,
            splat,
            splat_from: splat::SPLAT_FROM,
            max_texture_side: limits.max_texture_dimension_2d,
            _context_lost: None,
        };
        renderer._context_lost = context_lost;
        if let Some(format) = renderer.surface.as_ref().map(|(_, c)| c.format) {
            renderer.pipelines_for(format);
        }
        Ok(renderer)
    }

    fn pipelines_for(&mut self, format: wgpu::TextureFormat) -> usize {
        if let Some(i) = self.pipelines.iter().position(|p| p.format == format) {
            return i;
        }
        let blend = Some(wgpu::BlendState {
            color: wgpu::BlendComponent {
                src_factor: wgpu::BlendFactor::SrcAlpha,
                dst_factor: wgpu::BlendFactor::OneMinusSrcAlpha,
                operation: wgpu::BlendOperation::Add,
            },
            alpha: wgpu::BlendComponent::OVER,
        });
        let target = [Some(wgpu::ColorTargetState {
            format,
            blend,
            write_mask: wgpu::ColorWrites::ALL,
        })];
        let attributes = wgpu::vertex_attr_array![0 => Float32x2, 1 => Unorm8x4, 2 => Float32];
        let buffers = [Some(wgpu::VertexBufferLayout {
            array_stride: INSTANCE_BYTES as u64,
            step_mode: wgpu::VertexStepMode::Instance,
            attributes: &attributes,
        })];
        let pipeline = |vs: &str, fs: &str, buffers: &[Option<wgpu::VertexBufferLayout>]| {
            self.device
                .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                    label: Some(vs),
                    layout: Some(&self.layout),
                    vertex: wgpu::VertexState {
                        module: &self.module,
                        entry_point: Some(vs),
                        compilation_options: Default::default(),
                        buffers,
                    },
                    primitive: wgpu::PrimitiveState::default(),
                    depth_stencil: None,
                    multisample: wgpu::MultisampleState::default(),
                    fragment: Some(wgpu::FragmentState {
                        module: &self.module,
                        entry_point: Some(fs),
                        compilation_options: Default::default(),
                        targets: &target,
                    }),
                    multiview_mask: None,
                    cache: None,
                })
        };
        let points = pipeline("point_vs", "point_fs", &buffers);
        let image = pipeline("image_vs", "image_fs", &[]);
        self.pipelines.push(Pipelines {
            format,
            points,
            image,
            target: target[0].clone().expect("the colour target"),
        });
        self.pipelines.len() - 1
    }

    /// The scatter's instances (16 bytes each), uploaded once, a slice at a time.
    pub fn upload_points(&mut self, scene: &ScatterScene) {
        let count = scene.points.len();
        let bytes = (count * INSTANCE_BYTES) as u64;
        // WebGPU's large scatters read the points as a storage buffer (a compute pass); beyond the
        // device's storage limit they are drawn as quads (no colours uploaded, no two-pass path).
        let storage = self.backend == Backend::WebGpu
            && bytes <= self.device.limits().max_storage_buffer_binding_size;
        let two_pass = storage || self.backend != Backend::WebGpu;
        // Points are opaque, so the colour texture's alpha carries each point's size as a share of
        // the largest: the two-pass path draws every disc at its own size.
        let largest = scene.largest_size();
        let colours = |i: usize| {
            let mut c = colour::category(scene.points.categories[i]);
            c[3] = splat::size_share(scene.sizes[i], largest);
            c
        };
        self.splat.upload(
            &self.device,
            &self.queue,
            if two_pass { count } else { 0 },
            colours,
            scene.largest_size(),
            self.max_texture_side,
        );
        if count == 0 {
            self.instances = None;
            return;
        }
        let mut usage = wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::COPY_DST;
        if storage {
            usage |= wgpu::BufferUsages::STORAGE;
        }
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("points"),
            size: bytes,
            usage,
            mapped_at_creation: false,
        });
        let mut slice = Vec::with_capacity(UPLOAD_SLICE * INSTANCE_BYTES);
        for start in (0..count).step_by(UPLOAD_SLICE) {
            slice.clear();
            scene.instance_bytes_into(start..(start + UPLOAD_SLICE).min(count), &mut slice);
            self.queue
                .write_buffer(&buffer, (start * INSTANCE_BYTES) as u64, &slice);
        }
        self.instances = Some((buffer, count as u32));
    }

    /// Where a large scatter's pass 1 runs (chosen from the adapter; the benchmark and the tests
    /// set it to compare or to cover both).
    pub fn pass_one(&self) -> PassOne {
        self.splat.pass_one
    }

    pub fn set_pass_one(&mut self, pass_one: PassOne) {
        self.splat.pass_one = pass_one;
    }

    /// Before a frame of a large scatter whose pass 1 runs on the CPU: places `points` (the
    /// uploaded ones, in the same order) for this camera and uploads the ids.
    pub fn prepare_points(&mut self, points: &Points, frame: &Frame) {
        let Some((buffer, count)) = self.instances.as_ref() else {
            return;
        };
        if !frame.points || self.splat.pass_one != PassOne::Cpu || *count < self.splat_from {
            return;
        }
        self.splat.write_cpu_ids(
            &self.device,
            &self.queue,
            buffer,
            &points.xs,
            &points.ys,
            frame.transform,
            (frame.width.max(1), frame.height.max(1)),
        );
    }

    /// An RGBA image covering the data rectangle `rect`; reuses the texture when the size is the same.
    pub fn upload_image(&mut self, width: u32, height: u32, rgba: &[u8], rect: Bounds) {
        let size = wgpu::Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        };
        let reuse = self
            .image
            .as_ref()
            .is_some_and(|i| i.size == (width, height));
        if !reuse {
            let texture = self.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("image"),
                size,
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8Unorm,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                view_formats: &[],
            });
            let view = texture.create_view(&Default::default());
            let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("image"),
                layout: &self.image_layout,
                entries: &[wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&view),
                }],
            });
            self.image = Some(Image {
                bind_group,
                rect,
                size: (width, height),
                texture,
            });
        }
        if let Some(image) = self.image.as_mut() {
            image.rect = rect;
            self.queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &image.texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                rgba,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(width * 4),
                    rows_per_image: Some(height),
                },
                size,
            );
        }
    }

    pub fn resize(&mut self, width: u32, height: u32) {
        if let Some((surface, config)) = self.surface.as_mut() {
            config.width = width.max(1);
            config.height = height.max(1);
            surface.configure(&self.device, config);
        }
    }

    fn write_uniform(&self, frame: &Frame) {
        let rect = self.image.as_ref().map_or(Bounds::EMPTY, |i| i.rect);
        let values: [f32; 12] = [
            frame.transform[0],
            frame.transform[1],
            frame.transform[2],
            frame.transform[3],
            frame.width as f32,
            frame.height as f32,
            frame.pixel_ratio,
            (self.splat.radius * frame.pixel_ratio).min(splat::MAX_RADIUS),
            rect.x0 as f32,
            rect.y0 as f32,
            rect.x1 as f32,
            rect.y1 as f32,
        ];
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.queue.write_buffer(&self.uniform, 0, &bytes);
    }

    fn encode(
        &mut self,
        frame: &Frame,
        target: &wgpu::TextureView,
        format: wgpu::TextureFormat,
    ) -> wgpu::CommandEncoder {
        let p = self.pipelines_for(format);
        self.write_uniform(frame);
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("frame"),
            });
        let splatted = match (frame.points, self.instances.as_ref()) {
            (true, Some((buffer, count))) if *count >= self.splat_from => {
                let size = (frame.width.max(1), frame.height.max(1));
                let target = self.pipelines[p].target.clone();
                self.splat.resolve_pipeline(&self.device, &target);
                self.splat
                    .encode_ids(
                        &self.device,
                        &mut encoder,
                        &self.uniform_group,
                        buffer,
                        *count,
                        frame.transform,
                        size,
                    )
                    .cloned()
            }
            _ => None,
        };
        {
            let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("frame"),
                color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                    view: target,
                    depth_slice: None,
                    resolve_target: None,
                    ops: wgpu::Operations {
                        load: wgpu::LoadOp::Clear(BACKGROUND),
                        store: wgpu::StoreOp::Store,
                    },
                })],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            pass.set_bind_group(0, &self.uniform_group, &[]);
            if let (true, Some(image)) = (frame.image, self.image.as_ref()) {
                pass.set_pipeline(&self.pipelines[p].image);
                pass.set_bind_group(1, &image.bind_group, &[]);
                pass.draw(0..6, 0..1);
            }
            if let Some(group) = splatted.as_ref() {
                let target = self.pipelines[p].target.clone();
                pass.set_pipeline(self.splat.resolve_pipeline(&self.device, &target));
                pass.set_bind_group(1, group, &[]);
                pass.draw(0..3, 0..1);
            } else if let (true, Some((buffer, count))) = (frame.points, self.instances.as_ref()) {
                pass.set_pipeline(&self.pipelines[p].points);
                // The image group is declared by the layout; bind any valid one for points.
                let group = self
                    .image
                    .as_ref()
                    .map_or(&self.empty_image, |i| &i.bind_group);
                pass.set_bind_group(1, group, &[]);
                pass.set_vertex_buffer(0, buffer.slice(..));
                pass.draw(0..6, 0..*count);
            }
        }
        encoder
    }

    /// Draws a frame to the canvas. Err when the canvas cannot be drawn to (the caller falls back).
    pub fn present(&mut self, frame: &Frame) -> Result<(), String> {
        // An offscreen renderer (the benchmark's WebGPU, which cannot present in headless
        // Chromium) has nothing to present to; its frames are read back instead.
        let Some((surface, config)) = self.surface.as_ref() else {
            return Ok(());
        };
        let format = config.format;
        let texture = match surface.get_current_texture() {
            wgpu::CurrentSurfaceTexture::Success(t)
            | wgpu::CurrentSurfaceTexture::Suboptimal(t) => t,
            other => {
                return Err(format!(
                    "{} could not get a frame from the canvas ({})",
                    self.backend.name(),
                    match other {
                        wgpu::CurrentSurfaceTexture::Timeout => "timeout",
                        wgpu::CurrentSurfaceTexture::Occluded => "occluded",
                        wgpu::CurrentSurfaceTexture::Outdated => "outdated",
                        wgpu::CurrentSurfaceTexture::Lost => "lost",
                        _ => "validation error",
                    }
                ))
            }
        };
        let view = texture.texture.create_view(&Default::default());
        let encoder = self.encode(frame, &view, format);
        self.queue.submit([encoder.finish()]);
        self.queue.present(texture);
        Ok(())
    }

    /// Draws a frame into a texture and reads it back: RGBA rows, top row first.
    pub async fn read_pixels(&mut self, frame: &Frame) -> Result<Vec<u8>, String> {
        self.read_region(frame, frame.width.max(1), frame.height.max(1))
            .await
    }

    /// Draws a frame offscreen and waits until the GPU has finished it (by reading one pixel back).
    pub async fn finish_frame(&mut self, frame: &Frame) -> Result<(), String> {
        self.read_region(frame, 1, 1).await.map(|_| ())
    }

    /// Draws a frame into a texture and reads back its top-left `copy_w` × `copy_h` pixels.
    async fn read_region(
        &mut self,
        frame: &Frame,
        copy_w: u32,
        copy_h: u32,
    ) -> Result<Vec<u8>, String> {
        let (tw, th) = (frame.width.max(1), frame.height.max(1));
        let (w, h) = (copy_w.min(tw), copy_h.min(th));
        let texture = self.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("readback"),
            size: wgpu::Extent3d {
                width: tw,
                height: th,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: OFFSCREEN_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&Default::default());
        let mut encoder = self.encode(frame, &view, OFFSCREEN_FORMAT);
        let row = (w * 4).div_ceil(256) * 256;
        let buffer = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback"),
            size: (row * h) as u64,
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        encoder.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture: &texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(row),
                    rows_per_image: Some(h),
                },
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
        );
        self.queue.submit([encoder.finish()]);
        let (send, mut receive) = futures::channel::oneshot::channel();
        buffer.map_async(wgpu::MapMode::Read, .., move |result| {
            let _ = send.send(result);
        });
        // WebGPU settles the map by itself; wgpu's WebGL2 path only when polled.
        let mut mapped = None;
        for _ in 0..10_000 {
            let _ = self.device.poll(wgpu::PollType::Poll);
            match receive.try_recv() {
                Ok(Some(result)) => {
                    mapped = Some(result);
                    break;
                }
                Ok(None) => next_tick().await,
                Err(_) => return Err("the GPU dropped the readback".into()),
            }
        }
        mapped
            .ok_or("the GPU did not finish the frame in time")?
            .map_err(|e| format!("reading the frame back failed: {e}"))?;
        let mapped = buffer
            .get_mapped_range(..)
            .map_err(|e| format!("reading the frame back failed: {e}"))?;
        let mut out = Vec::with_capacity((w * h * 4) as usize);
        for y in 0..h as usize {
            let start = y * row as usize;
            out.extend_from_slice(&mapped[start..start + w as usize * 4]);
        }
        drop(mapped);
        buffer.unmap();
        Ok(out)
    }
}

/// Lets the event loop run once (a zero-delay timer), in a page or a worker.
/// Calls `on_lost` when the canvas's WebGL context is lost (a driver reset, the browser reclaiming
/// contexts): wgpu does not notice, and every later frame would silently draw nothing. Removed
/// with the renderer.
struct ContextLostListener {
    canvas: web_sys::OffscreenCanvas,
    listener: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>,
}

impl ContextLostListener {
    fn new(canvas: &web_sys::OffscreenCanvas, on_lost: OnLost) -> Self {
        let listener =
            wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
                on_lost("the WebGL2 context was lost".to_string())
            });
        let _ = canvas.add_event_listener_with_callback(
            "webglcontextlost",
            listener.as_ref().unchecked_ref(),
        );
        Self {
            canvas: canvas.clone(),
            listener,
        }
    }
}

impl Drop for ContextLostListener {
    fn drop(&mut self) {
        let _ = self.canvas.remove_event_listener_with_callback(
            "webglcontextlost",
            self.listener.as_ref().unchecked_ref(),
        );
    }
}

/// The browser's own WebGPU adapter info, asked through JavaScript: "vendor architecture" and
/// whether it is a fallback (software) adapter. None where the browser does not say.
async fn webgpu_adapter_words() -> Option<(String, bool)> {
    use js_sys::Reflect;
    let gpu = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"gpu".into()))
        .ok()?;
    let request = Reflect::get(&gpu, &"requestAdapter".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let promise = request
        .call0(&gpu)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    let adapter = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let info = Reflect::get(&adapter, &"info".into()).ok()?;
    let word = |key: &str| {
        Reflect::get(&info, &key.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let fallback = Reflect::get(&info, &"isFallbackAdapter".into())
        .or_else(|_| Reflect::get(&adapter, &"isFallbackAdapter".into()))
        .is_ok_and(|v| v.is_truthy());
    let name = [word("vendor"), word("architecture")]
        .into_iter()
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty() || fallback).then_some((name, fallback))
}

async fn next_tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        if let Some(f) = set_timeout {
            let _ = f.call2(&global, &resolve, &0.into());
        } else {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
