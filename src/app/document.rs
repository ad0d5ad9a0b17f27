//! Documents: rendered bytes held in memory with what describes them (media type,
//! time, hash) and their compressed variants, each made once, the first time a
//! client asks for it.

use bytes::Bytes;
use std::io::Write;
use std::sync::OnceLock;
use std::time::SystemTime;

/// A body served many times: a page's HTML, its JSON, an asset.
pub struct Document {
    bytes: Bytes,
    media_type: &'static str,
    /// XXH3 of the bytes, quoted as an entity tag, one per coding (`"1a2b…"`,
    /// `"1a2b…-br"`, `"1a2b…-gzip"`): each representation has its own.
    tags: [Bytes; 3],
    modified: Option<SystemTime>,
    /// `modified` as an HTTP date.
    modified_date: Option<Bytes>,
    gzip: OnceLock<Bytes>,
    brotli: OnceLock<Bytes>,
}

/// A content coding a document can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `br`
    Brotli,
    /// `gzip`
    Gzip,
    /// No compression.
    Identity,
}

/// HTML, as pages are sent.
pub const HTML: &str = "text/html; charset=utf-8";
/// JSON, as page metadata is sent.
pub const JSON: &str = "application/json";

impl Document {
    /// A document of `bytes`, last changed at `modified` when that is known.
    pub fn new(bytes: Bytes, media_type: &'static str, modified: Option<SystemTime>) -> Document {
        let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
        Document::tagged(bytes, media_type, modified, hash)
    }

    /// A document of `bytes` whose entity tags are made of `hash` rather than a hash of
    /// the bytes: a file's, which is known by its size, time and inode.
    pub fn tagged(
        bytes: Bytes,
        media_type: &'static str,
        modified: Option<SystemTime>,
        hash: u64,
    ) -> Document {
        let tag = |suffix: &str| Bytes::from(format!("\"{hash:016x}{suffix}\""));
        Document {
            tags: [tag(""), tag("-br"), tag("-gzip")],
            bytes,
            media_type,
            modified,
            modified_date: modified.map(|time| Bytes::from(httpdate::fmt_http_date(time))),
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
        }
    }

    /// The uncompressed body.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The size of the uncompressed body.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }

    /// Its media type (`text/html; charset=utf-8`).
    pub fn media_type(&self) -> &'static str {
        self.media_type
    }

    /// The entity tag of the document in `coding`: a quoted hash of its bytes and the
    /// coding (`"1a2b…-br"`), made once.
    pub fn tag(&self, coding: Coding) -> &Bytes {
        match coding {
            Coding::Identity => &self.tags[0],
            Coding::Brotli => &self.tags[1],
            Coding::Gzip => &self.tags[2],
        }
    }

    /// Whether the body in `coding` is made already.
    pub fn has(&self, coding: Coding) -> bool {
        match coding {
            Coding::Brotli => self.brotli.get().is_some(),
            Coding::Gzip => self.gzip.get().is_some(),
            Coding::Identity => true,
        }
    }

    /// When what it was made from last changed, when known.
    pub fn modified(&self) -> Option<SystemTime> {
        self.modified
    }

    /// [`Document::modified`] as an HTTP date, made once.
    pub fn modified_date(&self) -> Option<&Bytes> {
        self.modified_date.as_ref()
    }

    /// The body in `coding`, compressed on the first call for that coding.
    pub fn encoded(&self, coding: Coding) -> Bytes {
        match coding {
            Coding::Brotli => self
                .brotli
                .get_or_init(|| coding.encode(&self.bytes))
                .clone(),
            Coding::Gzip => self.gzip.get_or_init(|| coding.encode(&self.bytes)).clone(),
            Coding::Identity => self.bytes.clone(),
        }
    }
}

impl Coding {
    /// `bytes` in this coding.
    pub fn encode(self, bytes: &[u8]) -> Bytes {
        match self {
            Coding::Brotli => compress_brotli(bytes),
            Coding::Gzip => compress_gzip(bytes),
            Coding::Identity => Bytes::copy_from_slice(bytes),
        }
    }
}

fn compress_gzip(bytes: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    let _ = encoder.write_all(bytes);
    Bytes::from(encoder.finish().unwrap_or_default())
}

fn compress_brotli(bytes: &[u8]) -> Bytes {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 6, 22);
        let _ = writer.write_all(bytes);
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn variants_decompress_to_the_same_bytes() {
        let text = "hello ".repeat(1000);
        let document = Document::new(Bytes::from(text.clone()), "text/plain", None);
        let mut plain = String::new();
        flate2::read::GzDecoder::new(&document.encoded(Coding::Gzip)[..])
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, text);
        let brotli = document.encoded(Coding::Brotli);
        let mut plain = String::new();
        brotli::Decompressor::new(&brotli[..], 4096)
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, text);
        assert!(brotli.len() < text.len() / 10);
    }
}
