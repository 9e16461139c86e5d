//! SVG to greyscale: the XML read by roxmltree within bounds (its size in nodes, its nesting, what
//! its `<use>` references expand to), then rendered by resvg on white at most [`RENDER_SIDE`]
//! pixels a side. Nothing is loaded from outside the file: no fonts (text is not rendered), no
//! images (`<image>` resolves to nothing), no external entities; entity declarations and filter
//! effects make the SVG unreadable (a QR code needs neither).

use super::{Grey, ImageError};
use resvg::{tiny_skia, usvg};
use std::collections::HashMap;

/// Most XML nodes (elements, text, comments) an SVG may have.
const MAX_NODES: u32 = 200_000;
/// Most elements an SVG may have once every `<use>` is expanded (a version 40 QR code drawn one
/// `<rect>` a module has about 31,000).
const MAX_EXPANDED: usize = 100_000;
/// Deepest nesting of elements, `<use>` references counted as a level.
const MAX_DEPTH: usize = 256;
/// The longer side of the rendering, in pixels: a version 40 QR code with its quiet zone gets five
/// pixels a module, version 22 nine.
const RENDER_SIDE: f32 = 1024.0;

/// The pixels of an SVG image rendered on white, one byte of grey each.
pub(super) fn grey(bytes: &[u8]) -> Result<Grey, ImageError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImageError::Refused("an SVG that is not UTF-8 text".into()))?;
    if text.contains("<!ENTITY") {
        return Err(ImageError::Unreadable("an SVG that declares XML entities: dialtone does not expand them".into()));
    }
    let options = roxmltree::ParsingOptions { allow_dtd: true, nodes_limit: MAX_NODES, entity_resolver: None };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| ImageError::Refused(format!("not a readable SVG: {e}")))?;
    within_bounds(&doc)?;
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: Box::new(|_, _, _| None),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_xmltree(&doc, &options)
        .map_err(|e| ImageError::Refused(format!("not a readable SVG: {e}")))?;
    let size = tree.size();
    let scale = RENDER_SIDE / size.width().max(size.height());
    let side = |length: f32| (length * scale).round().clamp(1.0, RENDER_SIDE) as u32;
    let (width, height) = (side(size.width()), side(size.height()));
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| ImageError::Refused(format!("the SVG renders to {width} × {height} pixels")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    // Opaque after the white fill: premultiplied RGBA is plain RGBA.
    let pixels = pixmap
        .data()
        .chunks_exact(4)
        .map(|p| ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8)
        .collect();
    Ok(Grey { width: width as usize, height: height as usize, pixels })
}

/// The SVG's nesting and expanded size within bounds, and no filter effects.
fn within_bounds(doc: &roxmltree::Document) -> Result<(), ImageError> {
    let ids: HashMap<&str, roxmltree::NodeId> =
        doc.descendants().filter(|n| n.is_element()).filter_map(|n| n.attribute("id").map(|id| (id, n.id()))).collect();
    if let Some(filter) = doc.descendants().find(|n| n.is_element() && is_filter(n.tag_name().name())) {
        return Err(ImageError::Unreadable(format!(
            "an SVG with filter effects (<{}>): dialtone renders plain vector QR codes",
            filter.tag_name().name()
        )));
    }
    let mut sizes = HashMap::new();
    let expanded = expanded_size(doc, doc.root_element(), &ids, &mut sizes, 0)?;
    if expanded > MAX_EXPANDED {
        return Err(ImageError::Refused(format!(
            "the SVG expands to more than {MAX_EXPANDED} elements (its <use> references counted)"
        )));
    }
    Ok(())
}

fn is_filter(name: &str) -> bool {
    name == "filter" || (name.starts_with("fe") && name.chars().nth(2).is_some_and(|c| c.is_ascii_uppercase()))
}

/// How many elements `node` draws once its `<use>` references are expanded; `None` in `sizes`
/// marks a node being measured (a reference back to it is a cycle).
fn expanded_size(
    doc: &roxmltree::Document,
    node: roxmltree::Node,
    ids: &HashMap<&str, roxmltree::NodeId>,
    sizes: &mut HashMap<roxmltree::NodeId, Option<usize>>,
    depth: usize,
) -> Result<usize, ImageError> {
    if depth > MAX_DEPTH {
        return Err(ImageError::Refused(format!("the SVG nests deeper than {MAX_DEPTH} levels")));
    }
    match sizes.get(&node.id()) {
        Some(Some(size)) => return Ok(*size),
        Some(None) => return Err(ImageError::Refused("the SVG's <use> references form a cycle".into())),
        None => {}
    }
    sizes.insert(node.id(), None);
    let mut size = 1usize;
    for child in node.children().filter(|c| c.is_element()) {
        size = size.saturating_add(expanded_size(doc, child, ids, sizes, depth + 1)?);
        if size > MAX_EXPANDED {
            break;
        }
    }
    if node.tag_name().name() == "use" {
        let href = node.attribute("href").or_else(|| node.attribute(("http://www.w3.org/1999/xlink", "href")));
        let target = href.and_then(|h| h.strip_prefix('#')).and_then(|id| ids.get(id)).and_then(|id| doc.get_node(*id));
        if let Some(target) = target {
            size = size.saturating_add(expanded_size(doc, target, ids, sizes, depth + 1)?);
        }
    }
    sizes.insert(node.id(), Some(size));
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(svg: &str) -> String {
        match grey(svg.as_bytes()) {
            Err(ImageError::Refused(e)) => e,
            Err(ImageError::Unreadable(e)) => panic!("unreadable, not refused: {e}"),
            Ok(_) => panic!("rendered"),
        }
    }

    #[test]
    fn nested_use_references_that_expand_exponentially_are_refused_before_rendering() {
        // Ten levels, each using the one below ten times: 10^10 elements once expanded.
        let mut svg = String::from(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><rect id="l0" width="1" height="1"/>"#,
        );
        for level in 1..=10 {
            svg.push_str(&format!(r#"<g id="l{level}">"#));
            for _ in 0..10 {
                svg.push_str(&format!(r##"<use href="#l{}"/>"##, level - 1));
            }
            svg.push_str("</g>");
        }
        svg.push_str(r##"</defs><use href="#l10"/></svg>"##);
        let started = std::time::Instant::now();
        assert!(refused(&svg).contains("expands to more than"));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn cycles_depth_and_entities_are_refused() {
        let cycle = r##"<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>"##;
        assert!(refused(cycle).contains("cycle"));
        let deep =
            format!(r#"<svg xmlns="http://www.w3.org/2000/svg">{}{}</svg>"#, "<g>".repeat(300), "</g>".repeat(300));
        assert!(refused(&deep).contains("deeper"));
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>"#;
        assert!(matches!(grey(laughs.as_bytes()), Err(ImageError::Unreadable(e)) if e.contains("entities")));
        let filtered = r#"<svg xmlns="http://www.w3.org/2000/svg"><filter id="f"><feTurbulence numOctaves="1000000000"/></filter></svg>"#;
        assert!(matches!(grey(filtered.as_bytes()), Err(ImageError::Unreadable(e)) if e.contains("filter effects")));
    }

    #[test]
    fn a_huge_declared_size_renders_at_the_bounded_side() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="4000000" height="2000000"><rect width="100%" height="100%"/></svg>"#;
        let grey = grey(svg.as_bytes()).expect("renders");
        assert_eq!((grey.width, grey.height), (1024, 512));
        assert!(grey.pixels.iter().all(|p| *p < 10), "black");
    }
}
