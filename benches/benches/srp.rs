//! Criterion benchmarks: one group per operation, one benchmark per implementation
//! (only ours without the feature `compare`). `scripts/bench-table` turns the
//! results into a table of ratios to GMP's `mpz_powm`.
//!
//! ```text
//! cargo bench -p cognito-auth-benches --features compare -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use cognito_auth_benches::{Op, cases, check};
use criterion::{Criterion, criterion_group, criterion_main};

fn benches(c: &mut Criterion) {
    // Every implementation must compute the same thing before its time counts.
    if let Err(disagreement) = check() {
        #[allow(
            clippy::panic,
            reason = "a bench of wrong results must not report times"
        )]
        {
            panic!("implementations disagree: {disagreement}");
        }
    }
    let all = cases();
    for op in Op::ALL {
        let mut group = c.benchmark_group(op.name());
        for case in all.iter().filter(|case| case.op == op) {
            group.bench_function(case.imp.name(), |b| b.iter(|| black_box((case.run)())));
        }
        group.finish();
    }
}

criterion_group!(srp, benches);
criterion_main!(srp);
