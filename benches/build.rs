//! Links the host-tuned GMP that `scripts/tuned-gmp` builds (its symbols renamed
//! `tuned__gmp*`, so it sits beside the system GMP that rug links) when
//! `COGNITO_AUTH_TUNED_GMP` names its folder, and sets `cfg(tuned_gmp)`. Without the
//! variable nothing is linked and the tuned baseline is absent from the build.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(tuned_gmp)");
    println!("cargo::rerun-if-env-changed=COGNITO_AUTH_TUNED_GMP");
    let compare = std::env::var_os("CARGO_FEATURE_COMPARE").is_some();
    if let Some(dir) = std::env::var_os("COGNITO_AUTH_TUNED_GMP").filter(|_| compare) {
        let dir = std::path::PathBuf::from(dir);
        println!(
            "cargo::rerun-if-changed={}",
            dir.join("libgmp_tuned.a").display()
        );
        println!("cargo::rustc-link-search=native={}", dir.display());
        println!("cargo::rustc-link-lib=static=gmp_tuned");
        println!("cargo::rustc-cfg=tuned_gmp");
    }
    if compare {
        // OpenSSL's BN_mod_exp_mont_consttime, the constant-time baseline.
        println!("cargo::rustc-link-lib=dylib=crypto");
    }
}
