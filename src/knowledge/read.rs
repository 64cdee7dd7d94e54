//! Reading one knowledge file with care: regular files only, at most [`MAX_BYTES`], and text
//! that is not UTF-8 located to its line and byte.
//!
//! A FIFO would block the reader forever and a symbolic link to `/dev/zero` would fill memory,
//! so the file's type is looked at before it is opened, and again on the open file. What is
//! refused becomes a [`Problem`] saying why; nothing here panics on what it reads.

use std::fs::{File, Metadata};
use std::io::Read as _;
use std::path::Path;

use super::Problem;

/// The largest knowledge file read: the longest real guide is about 13 KB and the largest TOML
/// file about 40 KB, so a file over this is a mistake, not content.
pub(super) const MAX_BYTES: u64 = 1024 * 1024;

/// How [`MAX_BYTES`] is written in messages.
const MAX_SHOWN: &str = "1 MiB";

/// The text of the regular file `path` (a symbolic link to one is followed), or the problem that
/// kept it from being read.
pub(super) fn read_text(path: &Path) -> Result<String, Problem> {
    let refuse = |message: String| Problem::new(path, 1, message);
    let cannot_read = |e: std::io::Error| refuse(format!("cannot read: {e}"));
    let metadata = std::fs::metadata(path).map_err(cannot_read)?;
    check_metadata(path, &metadata).map_err(refuse)?;
    let file = File::open(path).map_err(cannot_read)?;
    // The path may have been replaced between the look and the open: check what was opened.
    let metadata = file.metadata().map_err(cannot_read)?;
    check_metadata(path, &metadata).map_err(refuse)?;
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(refuse(format!(
            "larger than {MAX_SHOWN}, so it is not read (a knowledge file is a few dozen KB)"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let (line, message) = invalid_utf8(e.as_bytes(), e.utf8_error().valid_up_to());
        Problem::new(path, line, message)
    })
}

/// Refuses anything but a regular file of at most [`MAX_BYTES`].
fn check_metadata(path: &Path, metadata: &Metadata) -> Result<(), String> {
    if !metadata.is_file() {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let through_link = if is_link {
            " (through a symbolic link)"
        } else {
            ""
        };
        return Err(format!(
            "not a regular file but {}{through_link}, so it is not read",
            kind(metadata)
        ));
    }
    if metadata.len() > MAX_BYTES {
        return Err(format!(
            "larger than {MAX_SHOWN} ({} bytes), so it is not read (a knowledge file is a few \
             dozen KB)",
            metadata.len()
        ));
    }
    Ok(())
}

/// What a file that is not a regular file is, in words.
fn kind(metadata: &Metadata) -> &'static str {
    let file_type = metadata.file_type();
    if file_type.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// The line of the first invalid byte (at `valid_up_to`) and a message naming its offset in the
/// file (counted from 0, as `xxd` and `od` show it) and its column on the line (counted in
/// characters from 1, as editors show it).
fn invalid_utf8(bytes: &[u8], valid_up_to: usize) -> (usize, String) {
    // The prefix is valid UTF-8 by definition of `valid_up_to`.
    let valid = std::str::from_utf8(&bytes[..valid_up_to.min(bytes.len())]).unwrap_or_default();
    let line = super::line_of(valid, valid.len());
    let line_start = valid.rfind('\n').map_or(0, |newline| newline + 1);
    let column = 1 + valid[line_start..].chars().count();
    let byte = bytes
        .get(valid_up_to)
        .map(|b| format!(": 0x{b:02X}"))
        .unwrap_or_default();
    (
        line,
        format!(
            "invalid UTF-8 at byte {valid_up_to} (column {column}){byte}; save the file as UTF-8"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located_to_its_line_byte_and_column() {
        let mut bytes = "+++\ntitle = \"ok\"\n+++\n".repeat(13).into_bytes();
        bytes.extend_from_slice("## Ça coûte\nnaïve \u{fffd}".as_bytes());
        let offset = bytes.len();
        bytes.extend_from_slice(b"\xff tail\n");
        let error = String::from_utf8(bytes.clone()).unwrap_err();
        let (line, message) = invalid_utf8(&bytes, error.utf8_error().valid_up_to());
        assert_eq!(line, 41);
        assert_eq!(
            message,
            format!("invalid UTF-8 at byte {offset} (column 8): 0xFF; save the file as UTF-8")
        );
    }

    #[test]
    fn a_bad_first_byte_is_at_line_one_column_one() {
        let (line, message) = invalid_utf8(b"\x80", 0);
        assert_eq!(line, 1);
        assert!(message.starts_with("invalid UTF-8 at byte 0 (column 1): 0x80"));
    }
}
