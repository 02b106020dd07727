//! What the generated IR depends on in the woven module: the pointer
//! style (typed `i8*` up to LLVM 14, opaque `ptr` from 15 on), the pointer
//! size, the platform (how to reach `stderr`), and the sanitizers its
//! functions are built with.

/// How the module spells pointers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointers {
    /// `i8*`, `%struct.X*` (clang 14 and older).
    Typed,
    /// `ptr` (clang 15 and newer).
    Opaque,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub pointers: Pointers,
    /// 32 or 64.
    pub pointer_bits: u32,
    pub triple: String,
    /// `target datalayout = "..."`'s string, if the module has one.
    pub datalayout: Option<String>,
    /// The sanitizers the module's functions are built with (`SANITIZERS`
    /// its attribute groups name), in the order first seen: code added to
    /// the module carries them too.
    pub sanitizers: Vec<&'static str>,
}

/// The function attributes that ask for a sanitizer's instrumentation.
pub const SANITIZERS: &[&str] = &[
    "sanitize_address",
    "sanitize_hwaddress",
    "sanitize_memory",
    "sanitize_memtag",
    "sanitize_thread",
];

impl Target {
    /// A pointer to `pointee`: `ptr`, or `pointee*` in a typed module.
    pub fn ptr(&self, pointee: &str) -> String {
        match self.pointers {
            Pointers::Opaque => "ptr".to_string(),
            Pointers::Typed => format!("{pointee}*"),
        }
    }

    /// The integer type of `uintptr_t`.
    pub fn intptr(&self) -> String {
        format!("i{}", self.pointer_bits)
    }

    /// A pointer to the first byte of a string constant `@name` of
    /// `length` bytes (terminator included).
    pub fn string_ref(&self, name: &str, length: usize) -> String {
        let mut out = String::new();
        self.write_string_ref(&mut out, name, length);
        out
    }

    /// `string_ref`, written to `out` (`name` may be anything that prints
    /// as a global's name, so a caller need not build it first).
    pub fn write_string_ref(&self, out: &mut String, name: impl std::fmt::Display, length: usize) {
        use std::fmt::Write;
        let _ = match self.pointers {
            Pointers::Opaque => write!(out, "{name}"),
            Pointers::Typed => write!(
                out,
                "getelementptr inbounds ([{length} x i8], [{length} x i8]* {name}, i32 0, i32 0)"
            ),
        };
    }

    pub fn is_windows(&self) -> bool {
        self.triple.contains("windows") || self.triple.contains("win32")
    }

    /// The C library's name for the standard error stream, when it is a
    /// global (on Windows it comes from `__acrt_iob_func(2)`).
    pub fn stderr_global(&self) -> Option<&'static str> {
        if self.is_windows() {
            None
        } else if self.triple.contains("apple")
            || self.triple.contains("darwin")
            || self.triple.contains("freebsd")
        {
            Some("__stderrp")
        } else {
            Some("stderr")
        }
    }
}

/// The pointer size a data layout string gives (`p:32:32`), if it says.
pub fn pointer_bits_of_layout(layout: &str) -> Option<u32> {
    layout.split('-').find_map(|part| {
        let rest = part
            .strip_prefix("p:")
            .or_else(|| part.strip_prefix("p0:"))?;
        rest.split(':').next()?.parse().ok()
    })
}

/// The pointer size of a triple, when the module has no data layout.
pub fn pointer_bits_of_triple(triple: &str) -> u32 {
    let arch = triple.split('-').next().unwrap_or("");
    let thirty_two = matches!(
        arch,
        "i386"
            | "i486"
            | "i586"
            | "i686"
            | "x86"
            | "arm"
            | "armv7"
            | "thumb"
            | "thumbv7"
            | "wasm32"
            | "riscv32"
            | "mips"
            | "mipsel"
    ) || arch.starts_with("armv7");
    if thirty_two { 32 } else { 64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_sizes() {
        assert_eq!(
            pointer_bits_of_layout(
                "e-m:x-p:32:32-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32-a:0:32-S32"
            ),
            Some(32)
        );
        assert_eq!(
            pointer_bits_of_layout(
                "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128"
            ),
            None
        );
        assert_eq!(pointer_bits_of_triple("i686-pc-windows-msvc19.33.0"), 32);
        assert_eq!(pointer_bits_of_triple("x86_64-unknown-linux-gnu"), 64);
    }

    #[test]
    fn typed_and_opaque_spellings() {
        let mut target = Target {
            pointers: Pointers::Opaque,
            pointer_bits: 64,
            triple: "x86_64-pc-linux-gnu".into(),
            datalayout: None,
            sanitizers: Vec::new(),
        };
        assert_eq!(target.ptr("i8"), "ptr");
        assert_eq!(target.string_ref("@s", 3), "@s");
        assert_eq!(target.stderr_global(), Some("stderr"));
        target.pointers = Pointers::Typed;
        assert_eq!(target.ptr("i8"), "i8*");
        assert_eq!(
            target.string_ref("@s", 3),
            "getelementptr inbounds ([3 x i8], [3 x i8]* @s, i32 0, i32 0)"
        );
        target.triple = "i686-pc-windows-msvc".into();
        assert_eq!(target.stderr_global(), None);
    }
}
