//! Search in many languages on the running server: a page's language (locale folder,
//! tldr's `pages.de`, frontmatter `lang`), queries read in their language, scoped to it
//! with a language facet, translations after the page in the query's language; and how
//! query words are weighed (stop words, exact forms, corrections, completions).

use crate::support::{Server, Site, encode};

/// The URLs of the hits of `path` (an `/api/search` request).
fn urls(server: &Server, path: &str) -> Vec<String> {
    let response = server.get(path);
    assert_eq!(response.status, 200, "{path}");
    response.json()["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["url"].as_str().unwrap().to_string())
        .collect()
}

fn search(server: &Server, query: &str, extra: &str) -> Vec<String> {
    urls(
        server,
        &format!("/api/search?limit=20&q={}{extra}", encode(query)),
    )
}

/// A site in three locale folders and tldr's `pages.<lang>` convention.
fn multilingual() -> Site {
    Site::of_files(&[
        (
            "en/delete.md",
            "# Delete files\n\nRemove a file or a directory for good.\n\n## Everything in a folder\n\nDelete the directory and its contents.\n",
        ),
        (
            "en/archive.md",
            "# Archive files\n\nPack files into one archive with tar.\n",
        ),
        (
            "de/delete.md",
            "# Dateien löschen\n\nLösche eine Datei oder ein Verzeichnis endgültig.\n",
        ),
        (
            "de/archive.md",
            "# Dateien archivieren\n\nPacke Dateien in ein Archiv.\n",
        ),
        ("zh/delete.md", "# 删除文件\n\n永久删除一个文件或目录。\n"),
        (
            "zh/archive.md",
            "# 归档文件\n\n使用tar将多个文件归档为一个压缩包。\n",
        ),
        (
            "ja/delete.md",
            "# ファイルを削除する\n\nファイルやディレクトリを削除します。\n",
        ),
        (
            "fr/delete.md",
            "# Supprimer un répertoire\n\nSupprime le répertoire et son contenu.\n",
        ),
        (
            "fr/plain.md",
            "# Notes\n\nUn repertoire sans accent, écrit vite.\n",
        ),
    ])
}

#[test]
fn a_query_is_searched_in_its_language_told_by_its_words() {
    let site = multilingual();
    let server = site.serve();
    let german = search(&server, "Datei löschen", "");
    assert_eq!(
        german.first().map(String::as_str),
        Some("/de/delete"),
        "{german:?}"
    );
    assert!(
        german.iter().all(|url| url.starts_with("/de/")),
        "{german:?}"
    );
    // German stems: `Dateien` and `Datei`, `löschen` and `Lösche` are the same words.
    assert_eq!(
        search(&server, "dateien loeschen lösche", "")
            .first()
            .map(String::as_str),
        Some("/de/delete")
    );
    let english = search(&server, "delete directory", "");
    assert_eq!(
        english.first().map(String::as_str),
        Some("/en/delete"),
        "{english:?}"
    );
    assert!(
        english.iter().all(|url| url.starts_with("/en/")),
        "{english:?}"
    );
    let chinese = search(&server, "归档", "");
    assert_eq!(
        chinese,
        ["/zh/archive"],
        "Chinese words are cut out of a run of characters"
    );
    let japanese = search(&server, "ファイルを削除", "");
    assert_eq!(
        japanese.first().map(String::as_str),
        Some("/ja/delete"),
        "{japanese:?}"
    );
}

#[test]
fn the_lang_parameter_reads_and_scopes_a_query_and_all_widens_it() {
    let site = multilingual();
    let server = site.serve();
    let response = server.get(&format!("/api/search?q={}&lang=de", encode("Archiv")));
    let body = response.json();
    let hits: Vec<&str> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["url"].as_str().unwrap())
        .collect();
    assert_eq!(hits, ["/de/archive"]);
    assert_eq!(body["facets"]["lang"]["de"], 1, "{body}");
    // Every language: the words match in English and German; the page in the query's
    // language comes before its translation.
    let every = search(&server, "archive files", "&lang=all");
    assert!(every.contains(&"/de/archive".to_string()), "{every:?}");
    let english = every.iter().position(|url| url == "/en/archive").unwrap();
    let german = every.iter().position(|url| url == "/de/archive").unwrap();
    assert!(english < german, "{every:?}");
    // A query in another script than the page's language asked for still finds its pages.
    assert_eq!(
        search(&server, "删除", "&lang=en")
            .first()
            .map(String::as_str),
        Some("/zh/delete")
    );
}

#[test]
fn accents_are_folded_and_exact_accents_rank_first() {
    let site = multilingual();
    let server = site.serve();
    let folded = search(&server, "repertoire", "&lang=fr");
    assert_eq!(folded.len(), 2, "{folded:?}");
    let exact = search(&server, "répertoire", "&lang=fr");
    assert_eq!(
        exact.first().map(String::as_str),
        Some("/fr/delete"),
        "{exact:?}"
    );
    let plain = search(&server, "repertoire sans", "&lang=fr");
    assert_eq!(
        plain.first().map(String::as_str),
        Some("/fr/plain"),
        "{plain:?}"
    );
}

#[test]
fn the_results_page_offers_each_language_and_all() {
    let site = multilingual();
    let server = site.serve();
    let page = server.get(&format!("/search?q={}&lang=all", encode("tar")));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("class=\"languages\""), "{}", page.body);
    assert!(page.body.contains("All languages"), "{}", page.body);
    assert!(page.body.contains("English"), "{}", page.body);
    assert!(page.body.contains("简体中文"), "{}", page.body);
    // The search form of a German page searches in German.
    let german = server.get("/de/delete");
    assert!(
        german.body.contains("name=\"lang\" value=\"de\""),
        "{}",
        german.body
    );
}

#[test]
fn tldr_translation_folders_and_frontmatter_name_a_page_language() {
    let site = Site::of_files(&[
        (
            "pages/common/tar.md",
            "# tar\n\n> Archiving utility.\n\n- Create an archive from files:\n\n`tar cf target.tar file1 file2`\n",
        ),
        (
            "pages.de/common/tar.md",
            "# tar\n\n> Archivierungsprogramm.\n\n- Erstelle ein Archiv aus Dateien:\n\n`tar cf ziel.tar datei1 datei2`\n",
        ),
        (
            "notes.md",
            "---\nlang: de\n---\n# Notizen\n\nEin Archiv für Notizen erstellen.\n",
        ),
    ]);
    let server = site.serve();
    let german = search(&server, "Archiv erstellen", "");
    assert!(
        german.contains(&"/pages.de/common/tar".to_string()),
        "{german:?}"
    );
    assert!(german.contains(&"/notes".to_string()), "{german:?}");
    assert!(
        !german.contains(&"/pages/common/tar".to_string()),
        "{german:?}"
    );
    // Every language: the English page first for an English query, its translation after.
    let every = search(&server, "tar", "&lang=all");
    assert_eq!(
        every.first().map(String::as_str),
        Some("/pages/common/tar"),
        "{every:?}"
    );
    let page = server.get("/pages.de/common/tar");
    assert!(
        page.body.contains("<html lang=\"de\""),
        "the page says its language"
    );
}

#[test]
fn stop_words_match_but_earn_no_bonus_of_their_own() {
    let site = Site::of_files(&[
        ("which.md", "# which\n\nLocate a program in the path.\n"),
        ("am.md", "# am\n\nAndroid activity manager.\n"),
        ("in.md", "# in\n\nA keyword.\n"),
        (
            "pwd.md",
            "# pwd\n\nPrint the name of the current folder you are working in.\n",
        ),
        ("the.md", "# The\n\nAn article.\n"),
    ]);
    let server = site.serve();
    let found = search(&server, "which folder am I in", "");
    assert_eq!(found.first().map(String::as_str), Some("/pwd"), "{found:?}");
    // Stop words add to the pages the other words find, and find none themselves:
    // `in` is the title of a page that holds none of the other words.
    assert_eq!(found, ["/pwd"], "{found:?}");
    let counted = server.get(&format!("/api/search?q={}", encode("which folder am I in")));
    assert_eq!(counted.json()["total"], 1);
    // A query made only of stop words still finds its pages.
    assert_eq!(
        search(&server, "the", "").first().map(String::as_str),
        Some("/the")
    );
}

#[test]
fn exact_forms_rank_above_stems_and_corrections_prefer_frequent_words() {
    let site = Site::of_files(&[
        ("duplicity.md", "# duplicity\n\nEncrypted backups.\n"),
        ("dupes.md", "# Duplicate files\n\nFind them.\n"),
        ("notes-a.md", "# Notes A\n\nWe use duplicity here.\n"),
        ("notes-b.md", "# Notes B\n\nWe use duplicate here.\n"),
        ("chage.md", "# chage\n\nAccount aging.\n"),
        ("chmod.md", "# chmod\n\nChange the mode of a file.\n"),
        ("chown.md", "# chown\n\nChange the owner of a file.\n"),
        ("passwd.md", "# passwd\n\nChange a password.\n"),
        ("docker.md", "# docker\n\nManage docker containers.\n"),
        ("docker-ps.md", "# docker ps\n\nList docker containers.\n"),
        ("dockutil.md", "# dockutil\n\nEdit the Dock.\n"),
    ]);
    let server = site.serve();
    // The word as written ranks above another word of the same stem, in a title and
    // in the text.
    let duplicate = search(&server, "duplicate", "");
    assert_eq!(
        duplicate.first().map(String::as_str),
        Some("/dupes"),
        "{duplicate:?}"
    );
    let b = duplicate.iter().position(|url| url == "/notes-b").unwrap();
    let a = duplicate.iter().position(|url| url == "/notes-a").unwrap();
    assert!(b < a, "{duplicate:?}");
    // A transposition of a frequent word wins over a deletion giving a rare one.
    let change = search(&server, "chnage", "");
    assert_ne!(
        change.first().map(String::as_str),
        Some("/chage"),
        "{change:?}"
    );
    assert!(change.contains(&"/chmod".to_string()), "{change:?}");
    // The last word is completed even when it is a word itself, below that word.
    let dock = search(&server, "dock", "");
    assert_eq!(
        dock.first().map(String::as_str),
        Some("/dockutil"),
        "{dock:?}"
    );
    assert!(dock.contains(&"/docker".to_string()), "{dock:?}");
}

#[test]
fn words_whose_initials_name_a_page_find_it() {
    let site = Site::of_files(&[
        (
            "du.md",
            "# du\n\n> Disk usage: estimate file space usage.\n\n- Show the size of a folder:\n\n`du -sh path`\n",
        ),
        (
            "dua.md",
            "# dua\n\n> Dua (Disk Usage Analyzer): get the disk space usage of a directory.\n",
        ),
        (
            "ncdu.md",
            "# ncdu\n\n> Disk usage analyzer with an ncurses interface; disk usage at a glance.\n",
        ),
    ]);
    let server = site.serve();
    let found = search(&server, "disk usage", "");
    assert_eq!(found.first().map(String::as_str), Some("/du"), "{found:?}");
    // The page's lead is its description: it is shown in the page's meta tags.
    let page = server.get("/du");
    assert!(
        page.body.contains(
            "<meta name=\"description\" content=\"Disk usage: estimate file space usage.\">"
        ),
        "{}",
        page.body
    );
}

#[test]
fn a_word_written_with_its_accents_tells_close_languages_apart() {
    let site = Site::of_files(&[
        (
            "es/install.md",
            "# Instalación\n\n¿Cómo instalar el programa? Ejecuta el instalador.\n",
        ),
        (
            "pt/install.md",
            "# Instalação\n\nComo instalar o programa? Execute o instalador.\n",
        ),
        (
            "en/install.md",
            "# Install\n\nHow to install the program.\n",
        ),
    ]);
    let server = site.serve();
    let spanish = search(&server, "cómo instalar", "");
    assert_eq!(spanish, ["/es/install"], "{spanish:?}");
    let portuguese = search(&server, "instalação", "");
    assert_eq!(portuguese, ["/pt/install"], "{portuguese:?}");
}

#[test]
fn between_languages_that_hold_the_same_words_the_one_that_uses_them_most_is_chosen() {
    // German and Czech both write `archiv`; German pages use it far more often. The
    // other word is in neither, so only how often each language uses `archiv` tells.
    let mut files: Vec<(String, String)> = (0..4)
        .map(|at| {
            (
                format!("de/page{at}.md"),
                format!("# Seite {at}\n\nEin Archiv mit Dateien, Nummer {at}.\n"),
            )
        })
        .collect();
    files.extend((0..4).map(|at| {
        let text = match at {
            0 => "Archiv souborů.".to_string(),
            _ => format!("Stránka číslo {at} bez toho slova."),
        };
        (
            format!("cs/strana{at}.md"),
            format!("# Strana {at}\n\n{text}\n"),
        )
    }));
    files.push(("en/page.md".into(), "# Page\n\nAn English page.\n".into()));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let server = Site::of_files(&borrowed).serve();
    let found = search(&server, "Archiv entpacken", "");
    assert!(
        !found.is_empty() && found.iter().all(|url| url.starts_with("/de/")),
        "{found:?}"
    );
    let asked = search(&server, "Archiv entpacken", "&lang=cs");
    assert_eq!(asked, ["/cs/strana0"], "{asked:?}");
}

#[test]
fn a_long_querys_language_is_told_by_its_first_words() {
    // Eight German words, then twelve English ones: counted all, English would hold
    // more of them; the first words tell German.
    let server = Site::of_files(&[
        (
            "de/seite.md",
            "# Seite\n\nDie Datei wird mit dem Befehl schnell komprimiert und gespeichert.\n",
        ),
        (
            "en/page.md",
            "# Page\n\nThe file is compressed quickly with the command, saved, archived, \
             copied, moved, renamed, listed, printed and shown on the screen.\n",
        ),
    ])
    .serve();
    let query = "Datei Befehl schnell komprimiert gespeichert Seite komprimiert Datei \
                 file compressed quickly command saved archived copied moved renamed \
                 listed printed screen";
    let found = search(&server, query, "");
    assert_eq!(found, ["/de/seite"], "{found:?}");
}

#[test]
fn a_compound_no_page_holds_is_found_through_its_two_words() {
    let site = Site::of_files(&[
        (
            "de/chmod.md",
            "---\nlang: de\n---\n# chmod\n\nÄndere die Rechte einer Datei.\n",
        ),
        (
            "de/rm.md",
            "---\nlang: de\n---\n# rm\n\nLösche eine Datei.\n",
        ),
        (
            "de/sudo.md",
            "---\nlang: de\n---\n# sudo\n\nFühre einen Befehl mit den Rechten eines anderen Benutzers aus.\n",
        ),
        (
            "de/tar.md",
            "---\nlang: de\n---\n# tar\n\nPacke Dateien in ein Archiv, mit ihren Arbeitsverzeichnissen.\n",
        ),
    ]);
    let server = site.serve();
    // `Dateirechte` is on no page: `Datei` and `Rechte` are, together on one.
    let found = search(&server, "Dateirechte", "");
    assert_eq!(found, ["/de/chmod"], "{found:?}");
    // The letters joining the parts belong to neither (`Archiv-s-datei`).
    let joined = search(&server, "Archivsdatei", "");
    assert_eq!(joined, ["/de/tar"], "{joined:?}");
}
