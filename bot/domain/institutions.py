"""The member institutions a new council starts with (Art. 4(2) provincial, 4(3) district).

Names are the circular's own, written for the province or district at hand; the secretariat
adds, renames and removes institutions afterwards (a Sahil Güvenlik Komutanlığı exists only on
the coast, universities and centres differ per province).
"""

from __future__ import annotations

# Art. 4(2): the senior managers of these institutions sit on the provincial council, besides
# the chair (Vali), a deputy governor and the Kaymakams of districts above 2,000 foreigners.
PROVINCIAL_INSTITUTIONS: tuple[str, ...] = (
    "Valilik (Vali Yardımcısı)",
    "İl Göç İdaresi Müdürlüğü",
    "İl Milli Eğitim Müdürlüğü",
    "Aile ve Sosyal Hizmetler İl Müdürlüğü",
    "İl Sosyal Yardımlaşma ve Dayanışma Vakfı",
    "Sosyal Güvenlik İl Müdürlüğü",
    "Çalışma ve İş Kurumu İl Müdürlüğü",
    "Gençlik ve Spor İl Müdürlüğü",
    "İl Kültür ve Turizm Müdürlüğü",
    "İl Sağlık Müdürlüğü",
    "İl Nüfus ve Vatandaşlık Müdürlüğü",
    "İl Sivil Toplumla İlişkiler Müdürlüğü",
    "İl Afet ve Acil Durum Müdürlüğü",
    "İl Emniyet Müdürlüğü",
    "İl Jandarma Komutanlığı",
    "İl Sahil Güvenlik Komutanlığı",
    "Ticaret İl Müdürlüğü",
    "Sanayi ve Teknoloji İl Müdürlüğü",
    "Çevre, Şehircilik ve İklim Değişikliği İl Müdürlüğü",
    "Tarım ve Orman İl Müdürlüğü",
    "İl Müftülüğü",
    "Geri Gönderme Merkezi",
    "Geçici Barınma Merkezi",
    "Türk Kızılay İl Temsilciliği",
    "Üniversite",
    "Göç Araştırmaları Merkezi",
)

# Art. 4(3): the district council, chaired by the Kaymakam.
DISTRICT_INSTITUTIONS: tuple[str, ...] = (
    "Kaymakamlık",
    "İl Göç İdaresi Müdürlüğü (Uyum Çalışma Grubu / İlçe Göç İdaresi)",
    "İlçe Milli Eğitim Müdürlüğü",
    "İlçe Sağlık Müdürlüğü",
    "İlçe Nüfus Müdürlüğü",
    "İlçe Emniyet Müdürlüğü",
    "İlçe Jandarma Komutanlığı",
    "İlçe Tarım ve Orman Müdürlüğü",
    "İlçe Müftülüğü",
    "Gençlik Merkezi",
    "Türk Kızılay İlçe Temsilciliği",
    "Üniversite",
)
