//! Compiles the valgrind client-request shim (`csrc/valgrind_shim.c`). With the
//! valgrind headers (Debian's `valgrind` package installs them) the shim makes real
//! client requests; without them it compiles to stubs and the binary says so.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=csrc/valgrind_shim.c");
    println!("cargo:rerun-if-env-changed=VALGRIND_INCLUDE");
    let include = std::env::var("VALGRIND_INCLUDE").unwrap_or_else(|_| "/usr/include".into());
    let mut build = cc::Build::new();
    build.file("csrc/valgrind_shim.c").include(&include);
    if Path::new(&include).join("valgrind/memcheck.h").exists() {
        build.define("CTGRIND_HAVE_VALGRIND", None);
    } else {
        println!(
            "cargo:warning=valgrind/memcheck.h not found under {include}: ctgrind will be a stub"
        );
    }
    build.compile("ctgrind_valgrind_shim");
}
