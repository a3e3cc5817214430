"""Municipal-model figures: odds ratios, calibration, importance, size gradient, DX vs income."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from scityhelpers.chapters.plotting import OTHER_COLOUR, add_source_note, attach_data, new_figure

ACCENT = "#bc002d"
SECOND = "#0047a0"
MODEL_LABELS = {"gradient_boosting": "勾配ブースティング gradient boosting",
                "logit": "ロジット logistic regression"}
SELECTION_SOURCE = ("内閣府 SDGs未来都市 (FY2018–2023 list as printed in the briefing); 環境省 "
                    "脱炭素先行地域 (lead proposers of complete rounds); 総務省 census 2020, "
                    "主要財政指標 FY2021, 課税状況等の調 FY2024; IPSS projections")
DX_SOURCE = ("デジタル庁 自治体DX推進状況ダッシュボード (2024-07); "
             "総務省 マイナンバーカード交付状況 (2022-12-31, Code for Japan CSV); "
             "総務省 課税状況等の調 FY2024; census 2020; IPSS")


def odds_ratio_forest(odds_ratios: pd.DataFrame, title: str) -> Figure:
    """Odds ratios with 95% CIs on a log axis; 1 = no difference."""
    table = odds_ratios.iloc[::-1]
    fig, ax = new_figure((7.5, 4.8))
    attach_data(fig, odds_ratios)
    y = np.arange(len(table))
    colours = [ACCENT if low > 1 or high < 1 else OTHER_COLOUR
               for low, high in zip(table["ci_low"], table["ci_high"], strict=True)]
    ax.hlines(y, table["ci_low"], table["ci_high"], color=colours, linewidth=2)
    ax.scatter(table["odds_ratio"], y, color=colours, zorder=3)
    ax.axvline(1, color="#333333", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yticks(y, [f"{lab} ({scale})" for lab, scale in
                      zip(table["label"], table["scale"], strict=True)], fontsize=8)
    ax.set_xlabel("オッズ比 Odds ratio of being selected (95% CI, log scale)")
    ax.set_title(title, fontsize=11)
    fig.subplots_adjust(left=0.45)
    return add_source_note(fig, SELECTION_SOURCE)


def size_gradient(quintiles: pd.DataFrame, title: str) -> Figure:
    """Selection rate by population quintile: observed and size-only model contrast."""
    fig, ax = new_figure((7.5, 4.8))
    attach_data(fig, quintiles)
    x = quintiles["quintile"].to_numpy()
    ax.bar(x - 0.2, quintiles["observed_pct"], width=0.4, color=ACCENT,
           label="観測 observed share selected")
    ax.bar(x + 0.2, quintiles["adjusted_pct"], width=0.4, color=OTHER_COLOUR,
           label="モデル(人口のみ変更) model, only population changed")
    ax.set_xticks(x, [f"Q{q}\n{np.exp(m):,.0f}" for q, m in
                      zip(x, quintiles["median"], strict=True)], fontsize=8)
    ax.set_xlabel("人口五分位 Population quintile (median persons, 2020)")
    ax.set_ylabel("選定された割合 Selected (%)")
    ax.set_title(title, fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    add_source_note(fig, SELECTION_SOURCE)
    fig.subplots_adjust(bottom=0.24)
    return fig


def calibration(calibration: pd.DataFrame) -> Figure:
    """Out-of-fold predicted probability vs observed rate, decile bins, both models."""
    fig, ax = new_figure((6.0, 5.0))
    attach_data(fig, calibration)
    top = float(max(calibration["predicted"].max(), calibration["observed"].max())) * 1.05
    ax.plot([0, top], [0, top], color="#333333", linewidth=0.8, linestyle="--")
    for model, colour in [("gradient_boosting", ACCENT), ("logit", SECOND)]:
        rows = calibration[calibration["model"] == model]
        ax.plot(rows["predicted"], rows["observed"], marker="o", color=colour,
                label=MODEL_LABELS[model])
    ax.set_xlabel("予測確率 Predicted probability (out of fold, decile bins)")
    ax.set_ylabel("実際の選定率 Observed share selected")
    ax.set_title("較正 Calibration", fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    return add_source_note(fig, SELECTION_SOURCE)


def importance_bars(importance: pd.DataFrame) -> Figure:
    """Permutation importance (drop in held-out AUC), mean ± SD over folds."""
    table = importance.iloc[::-1]
    fig, ax = new_figure((7.5, 4.5))
    attach_data(fig, importance)
    ax.barh(table["label"], table["auc_drop_mean"], xerr=table["auc_drop_sd"], color=ACCENT,
            ecolor="#555555")
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("並べ替え重要度 Drop in held-out ROC AUC when the feature is shuffled")
    ax.set_title("勾配ブースティングの特徴量重要度 Permutation importance", fontsize=11)
    fig.subplots_adjust(left=0.4)
    return add_source_note(fig, SELECTION_SOURCE)


def loadings_bars(loadings: pd.DataFrame, explained_pct: float) -> Figure:
    """PC1 loadings of the standardised DX indicators."""
    table = loadings.sort_values("loading")
    fig, ax = new_figure((7.5, 4.2))
    attach_data(fig, table)
    ax.barh(table["label"], table["loading"], color=SECOND)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("第1主成分の負荷量 Loading on PC1 (unit-length vector)")
    ax.set_title(f"DX総合指標 Digital-maturity composite: PC1 = {explained_pct:.0f}% of "
                 "variance", fontsize=11)
    fig.subplots_adjust(left=0.45)
    return add_source_note(fig, DX_SOURCE)


def binned_scatter(binned: pd.DataFrame, slope_pct: float) -> Figure:
    """Residualised log income vs residualised composite, quantile bins, with the FE slope."""
    fig, ax = new_figure((7.5, 4.8))
    attach_data(fig, binned)
    sns.scatterplot(data=binned, x="x_resid", y="income_resid_pct", color=SECOND, ax=ax, s=40)
    line = np.array([binned["x_resid"].min(), binned["x_resid"].max()])
    # rounded: the same line on every CPU (the slope's last bits depend on the BLAS kernel)
    ax.plot(line, (line * np.log1p(slope_pct / 100) * 100).round(9), color=ACCENT, linewidth=1.5,
            label=f"FE slope: {slope_pct:+.1f}% per SD")
    ax.axhline(0, color="#333333", linewidth=0.6)
    ax.set_xlabel("DX総合指標(残差) Composite, residualised (SD units)")
    ax.set_ylabel("所得(残差) Income, residual (log pts × 100)")
    ax.set_title("デジタル成熟度と所得 Digital maturity and income (within prefecture)",
                 fontsize=11)
    ax.legend(frameon=False, fontsize=8)
    add_source_note(fig, DX_SOURCE)
    fig.subplots_adjust(bottom=0.22)
    return fig


def sensitivity_coefficients(sensitivity: pd.DataFrame) -> Figure:
    """% income difference per SD: the composite and each indicator alone, 95% CIs."""
    table = sensitivity.iloc[::-1]
    fig, ax = new_figure((7.5, 4.8))
    attach_data(fig, sensitivity)
    y = np.arange(len(table))
    colours = [ACCENT if r == "digital_composite" else SECOND for r in table["regressor"]]
    ax.hlines(y, table["ci_low"], table["ci_high"], color=colours, linewidth=2)
    ax.scatter(table["pct"], y, color=colours, zorder=3)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y, table["label"], fontsize=8)
    ax.set_xlabel("所得の差 Difference in income per taxpayer per SD (%, 95% CI)")
    ax.set_title("指標ごとの感度 Each indicator alone vs the composite", fontsize=11)
    fig.subplots_adjust(left=0.45)
    return add_source_note(fig, DX_SOURCE)
