//! The tray icons, drawn in code (no image files to keep in step): one per
//! state, told apart by colour and by shape, so they stay distinct at 16-24 px
//! and for colour-blind users. Each is a 32x32 RGBA image.

use crate::status::TrayState;

/// Side of the square icon, in pixels.
pub const SIZE: u32 = 32;

type Rgb = [u8; 3];

const GREEN: Rgb = [0x2e, 0x9e, 0x5b];
const BLUE: Rgb = [0x2f, 0x6f, 0xd6];
const AMBER: Rgb = [0xd9, 0x8a, 0x00];
const GREY: Rgb = [0x7a, 0x80, 0x88];
const RED: Rgb = [0xd3, 0x2f, 0x2f];
const ORANGE: Rgb = [0xef, 0x6c, 0x00];
const WHITE: Rgb = [0xff, 0xff, 0xff];

/// A shape in icon coordinates (0..1), as "inside" tests.
enum Shape {
    Disc {
        cx: f32,
        cy: f32,
        r: f32,
    },
    Ring {
        cx: f32,
        cy: f32,
        r: f32,
        w: f32,
        gap: bool,
    },
    Rect {
        x0: f32,
        y0: f32,
        x1: f32,
        y1: f32,
    },
    Line {
        ax: f32,
        ay: f32,
        bx: f32,
        by: f32,
        w: f32,
    },
    Triangle,
}

impl Shape {
    fn contains(&self, x: f32, y: f32) -> bool {
        match *self {
            Shape::Disc { cx, cy, r } => (x - cx).hypot(y - cy) <= r,
            Shape::Ring { cx, cy, r, w, gap } => {
                let d = (x - cx).hypot(y - cy);
                let on = (d - r).abs() <= w / 2.0;
                // The "syncing" ring has a gap in its upper right quarter.
                on && !(gap && x > cx && y < cy)
            }
            Shape::Rect { x0, y0, x1, y1 } => x >= x0 && x <= x1 && y >= y0 && y <= y1,
            Shape::Line { ax, ay, bx, by, w } => {
                let (dx, dy) = (bx - ax, by - ay);
                let t = (((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
                (x - ax - t * dx).hypot(y - ay - t * dy) <= w / 2.0
            }
            Shape::Triangle => {
                // Apex at the top, base at the bottom.
                (0.08..=0.92).contains(&y) && (x - 0.5).abs() <= (y - 0.08) * 0.55
            }
        }
    }
}

/// The layers of a state's icon, drawn in order.
fn layers(state: TrayState) -> Vec<(Shape, Rgb)> {
    let disc = |c: Rgb| {
        (
            Shape::Disc {
                cx: 0.5,
                cy: 0.5,
                r: 0.46,
            },
            c,
        )
    };
    match state {
        TrayState::UpToDate => vec![
            disc(GREEN),
            (
                Shape::Line {
                    ax: 0.27,
                    ay: 0.52,
                    bx: 0.44,
                    by: 0.68,
                    w: 0.11,
                },
                WHITE,
            ),
            (
                Shape::Line {
                    ax: 0.44,
                    ay: 0.68,
                    bx: 0.74,
                    by: 0.34,
                    w: 0.11,
                },
                WHITE,
            ),
        ],
        TrayState::Syncing => vec![
            (
                Shape::Ring {
                    cx: 0.5,
                    cy: 0.5,
                    r: 0.36,
                    w: 0.16,
                    gap: true,
                },
                BLUE,
            ),
            (
                Shape::Disc {
                    cx: 0.5,
                    cy: 0.5,
                    r: 0.1,
                },
                BLUE,
            ),
        ],
        TrayState::Pending => vec![
            disc(AMBER),
            // An upward arrow: changes wait to go up.
            (
                Shape::Line {
                    ax: 0.5,
                    ay: 0.28,
                    bx: 0.5,
                    by: 0.74,
                    w: 0.11,
                },
                WHITE,
            ),
            (
                Shape::Line {
                    ax: 0.5,
                    ay: 0.26,
                    bx: 0.32,
                    by: 0.45,
                    w: 0.11,
                },
                WHITE,
            ),
            (
                Shape::Line {
                    ax: 0.5,
                    ay: 0.26,
                    bx: 0.68,
                    by: 0.45,
                    w: 0.11,
                },
                WHITE,
            ),
        ],
        TrayState::Offline => vec![
            (
                Shape::Ring {
                    cx: 0.5,
                    cy: 0.5,
                    r: 0.38,
                    w: 0.12,
                    gap: false,
                },
                GREY,
            ),
            (
                Shape::Line {
                    ax: 0.2,
                    ay: 0.8,
                    bx: 0.8,
                    by: 0.2,
                    w: 0.12,
                },
                GREY,
            ),
        ],
        TrayState::Problem => vec![
            disc(RED),
            (
                Shape::Rect {
                    x0: 0.44,
                    y0: 0.2,
                    x1: 0.56,
                    y1: 0.6,
                },
                WHITE,
            ),
            (
                Shape::Rect {
                    x0: 0.44,
                    y0: 0.68,
                    x1: 0.56,
                    y1: 0.8,
                },
                WHITE,
            ),
        ],
        TrayState::Paused => vec![
            disc(GREY),
            (
                Shape::Rect {
                    x0: 0.33,
                    y0: 0.28,
                    x1: 0.44,
                    y1: 0.72,
                },
                WHITE,
            ),
            (
                Shape::Rect {
                    x0: 0.56,
                    y0: 0.28,
                    x1: 0.67,
                    y1: 0.72,
                },
                WHITE,
            ),
        ],
        TrayState::UsageWarning => vec![
            (Shape::Triangle, ORANGE),
            (
                Shape::Rect {
                    x0: 0.45,
                    y0: 0.36,
                    x1: 0.55,
                    y1: 0.66,
                },
                WHITE,
            ),
            (
                Shape::Rect {
                    x0: 0.45,
                    y0: 0.72,
                    x1: 0.55,
                    y1: 0.82,
                },
                WHITE,
            ),
        ],
        TrayState::Local => vec![
            // A database: a grey cylinder.
            (
                Shape::Rect {
                    x0: 0.2,
                    y0: 0.25,
                    x1: 0.8,
                    y1: 0.75,
                },
                GREY,
            ),
            (
                Shape::Disc {
                    cx: 0.5,
                    cy: 0.25,
                    r: 0.3,
                },
                GREY,
            ),
            (
                Shape::Rect {
                    x0: 0.2,
                    y0: 0.44,
                    x1: 0.8,
                    y1: 0.5,
                },
                WHITE,
            ),
            (
                Shape::Rect {
                    x0: 0.2,
                    y0: 0.62,
                    x1: 0.8,
                    y1: 0.68,
                },
                WHITE,
            ),
        ],
    }
}

/// The RGBA pixels of a state's icon (anti-aliased by 4x4 supersampling).
pub fn rgba(state: TrayState) -> Vec<u8> {
    let layers = layers(state);
    let n = SIZE as usize;
    let mut out = vec![0u8; n * n * 4];
    const SS: usize = 4;
    for py in 0..n {
        for px in 0..n {
            let mut acc = [0f32; 4];
            for sy in 0..SS {
                for sx in 0..SS {
                    let x = (px as f32 + (sx as f32 + 0.5) / SS as f32) / SIZE as f32;
                    let y = (py as f32 + (sy as f32 + 0.5) / SS as f32) / SIZE as f32;
                    if let Some((_, c)) = layers.iter().rev().find(|(s, _)| s.contains(x, y)) {
                        acc[0] += f32::from(c[0]);
                        acc[1] += f32::from(c[1]);
                        acc[2] += f32::from(c[2]);
                        acc[3] += 255.0;
                    }
                }
            }
            let samples = (SS * SS) as f32;
            let i = (py * n + px) * 4;
            let alpha = acc[3] / samples;
            if alpha > 0.0 {
                // Colour averaged over covered samples only; coverage in alpha.
                let covered = acc[3] / 255.0;
                for k in 0..3 {
                    out[i + k] = (acc[k] / covered).round() as u8;
                }
                out[i + 3] = alpha.round() as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Downscales to `size` px by box filter, as a tray would.
    fn at(state: TrayState, size: usize) -> Vec<u8> {
        let full = rgba(state);
        let n = SIZE as usize;
        let mut out = Vec::new();
        for y in 0..size {
            for x in 0..size {
                for k in 0..4 {
                    let (x0, x1) = (x * n / size, (x + 1) * n / size);
                    let (y0, y1) = (y * n / size, (y + 1) * n / size);
                    let mut sum = 0u32;
                    for yy in y0..y1 {
                        for xx in x0..x1 {
                            sum += u32::from(full[(yy * n + xx) * 4 + k]);
                        }
                    }
                    out.push((sum / ((x1 - x0) * (y1 - y0)) as u32) as u8);
                }
            }
        }
        out
    }

    fn distance(a: &[u8], b: &[u8]) -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (f64::from(*x) - f64::from(*y)).abs())
            .sum::<f64>()
            / a.len() as f64
    }

    #[test]
    fn every_state_is_visible_and_distinct_at_16_px() {
        for s in TrayState::ALL {
            let img = rgba(s);
            assert_eq!(img.len(), (SIZE * SIZE * 4) as usize);
            let opaque = img.chunks(4).filter(|p| p[3] > 128).count();
            assert!(opaque > 150, "{s:?} is too faint ({opaque} px)");
        }
        for size in [16, 24] {
            for (i, a) in TrayState::ALL.iter().enumerate() {
                for b in &TrayState::ALL[i + 1..] {
                    let d = distance(&at(*a, size), &at(*b, size));
                    assert!(
                        d > 12.0,
                        "{a:?} and {b:?} look alike at {size} px (distance {d:.1})"
                    );
                }
            }
        }
    }
}
