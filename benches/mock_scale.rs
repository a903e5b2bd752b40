//! What one change and one list cost the mock's model as it grows, in one criterion group so
//! the ratios come from one run:
//!
//! * `create/N`: one resource definition (automatic port) + its volume definition
//!   (automatic minor) + 3 resources (automatic node ids), then deleting them again, in a
//!   model that already holds N such definitions (3N resources). The goal: N = 30,000 costs
//!   at most 1.5x N = 1,000.
//! * `resource_list/N`: `LstRsc` answered and encoded, for N resources. The goal: linear
//!   (100,000 at most 10.5x 10,000).
//!
//! Both are measured in the CPU time of the thread that does the work ([`ThreadCpu`]), not
//! in wall-clock time, so that other processes on the machine do not move the ratios.
//!
//! `cargo bench --bench mock_scale`.

use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use linstor_codec::Outgoing;
use linstor_mock::{Model, ModelConfig};
use linstor_proto::messages::{
    MsgCrtRsc, MsgCrtRscDfn, MsgCrtVlmDfn, MsgDelRscDfn, MsgHeader, MsgSetCtrlCfgProp, Rsc, RscDfn,
    VlmDfn,
};
use linstor_proto::{Request, ReturnCode};

const NODES: [&str; 3] = ["alpha", "bravo", "charlie"];

fn demo_with_ranges() -> Model {
    let mut m = Model::new(ModelConfig::default());
    m.seed_demo();
    // Room for 100,000 definitions in the automatic ranges.
    for (key, value) in [
        ("TcpPortAutoRange", "1025-65535"),
        ("MinorNrAutoRange", "1000-199999"),
    ] {
        let o = m.apply(Request::SetCfgVal(MsgSetCtrlCfgProp {
            key: key.into(),
            value: value.into(),
            namespace: None,
        }));
        assert!(
            o.entries().all(|e| !ReturnCode(e.ret_code).is_error()),
            "{key}: {o:?}"
        );
    }
    m
}

/// The requests that create definition `name` with one volume and three resources.
fn create(name: &str) -> [Request; 5] {
    let rsc = |node: &str| {
        Request::CrtRsc(MsgCrtRsc {
            rscs: vec![Rsc {
                name: name.into(),
                node_name: node.into(),
                props: vec![linstor_proto::messages::LinStorMapEntry {
                    key: "StorPoolName".into(),
                    value: "drbdpool".into(),
                }],
                ..Rsc::default()
            }],
        })
    };
    [
        Request::CrtRscDfn(MsgCrtRscDfn {
            rsc_dfn: RscDfn {
                rsc_name: name.into(),
                ..RscDfn::default()
            },
        }),
        Request::CrtVlmDfn(MsgCrtVlmDfn {
            rsc_name: name.into(),
            rsc_dfn_uuid: None,
            vlm_dfns: vec![VlmDfn {
                vlm_size: 1024,
                ..VlmDfn::default()
            }],
        }),
        rsc(NODES[0]),
        rsc(NODES[1]),
        rsc(NODES[2]),
    ]
}

fn apply_ok(m: &mut Model, r: Request) {
    let call = r.call();
    let o = m.apply(r);
    assert!(
        o.entries().all(|e| !ReturnCode(e.ret_code).is_error()),
        "{call}: {o:?}"
    );
}

fn with_definitions(n: usize) -> Model {
    let mut m = demo_with_ranges();
    for i in 0..n {
        for r in create(&format!("rsc{i:06}")) {
            apply_ok(&mut m, r);
        }
    }
    m
}

/// The CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`): what the model's work
/// costs, whatever else the machine runs meanwhile. Shown like wall-clock time.
struct ThreadCpu;

fn thread_cpu_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

impl Measurement for ThreadCpu {
    type Intermediate = Duration;
    type Value = Duration;

    fn start(&self) -> Duration {
        thread_cpu_now()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu_now().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        // Nanoseconds, like wall-clock time.
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

fn scale(c: &mut Criterion<ThreadCpu>) {
    let mut group = c.benchmark_group("mock_scale");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(5));
    for n in [1_000usize, 10_000, 30_000] {
        group.throughput(Throughput::Elements(1));
        // The model is built inside, so a filtered run does not build it.
        group.bench_function(format!("create/{n}"), |b| {
            let mut m = with_definitions(n);
            b.iter(|| {
                for r in create("extra") {
                    apply_ok(&mut m, r);
                }
                apply_ok(
                    &mut m,
                    Request::DelRscDfn(MsgDelRscDfn {
                        rsc_name: "extra".into(),
                        uuid: None,
                    }),
                );
            })
        });
    }
    for n in [10_000usize, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("resource_list/{n}"), |b| {
            let mut m = with_definitions(n / 3);
            b.iter_batched(
                || (),
                |()| {
                    let o = m.apply(Request::LstRsc(None));
                    let answer = &o.immediate[0];
                    let bodies: Vec<&dyn linstor_proto::WireMessage> = answer
                        .bodies
                        .iter()
                        .map(|b| b as &dyn linstor_proto::WireMessage)
                        .collect();
                    Outgoing::new(&MsgHeader::answer(1, answer.content), &bodies).to_bytes()
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = scale
}
criterion_main!(benches);
